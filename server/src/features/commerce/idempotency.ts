/**
 * Idempotency-Key handling shared by reserve and pay: the header, the per-user record field and the
 * request fingerprint that tells "the same request again" from "another request under the same key".
 */
import { createHash } from 'node:crypto';
import { IdempotencyKey } from '@lc/contracts/commerce.schema';
import { AppError } from '@lc/contracts/errors';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** @throws IDEMPOTENCY_KEY_REQUIRED when the header is missing or malformed */
export function idempotencyKeyFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  const parsed = IdempotencyKey.safeParse(value);
  if (!parsed.success) {
    throw new AppError(
      'IDEMPOTENCY_KEY_REQUIRED',
      'an Idempotency-Key header (1-128 visible ASCII characters) is required',
    );
  }
  return parsed.data;
}

/** Keys are scoped per user: two users may pick the same key without meeting. */
export const idemField = (userId: string, key: string) => `${userId}\n${key}`;

/** Fingerprint of a request: the operation, its target and its parsed (defaults applied) body. */
export const requestHash = (...parts: unknown[]) =>
  createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
