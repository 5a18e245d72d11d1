/**
 * Signed webhooks, both directions (provider → us, us → merchant): `t=<unix seconds>,v1=<hex>` where v1 is
 * HMAC-SHA256(secret, `${t}.${raw body}`). The receiver verifies over the raw bytes it got, refuses a
 * timestamp outside the tolerance (replays of old captures) and deduplicates by event id (replays of fresh
 * ones).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '@lc/contracts/errors';

export function signatureHeader(secret: string, rawBody: string | Buffer, nowMs = Date.now()): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${hmac(secret, t, rawBody)}`;
}

/**
 * @returns the signed timestamp (unix seconds)
 * @throws WEBHOOK_SIGNATURE_INVALID (missing, malformed or wrong signature), WEBHOOK_STALE (outside tolerance)
 */
export function verifySignature(
  secret: string,
  header: string | string[] | undefined,
  rawBody: Buffer,
  opts: { nowMs: number; toleranceSec: number },
): number {
  const value = Array.isArray(header) ? header[0] : header;
  const parts = new Map(
    (value ?? '').split(',').map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const given = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(given)) {
    throw new AppError('WEBHOOK_SIGNATURE_INVALID', 'missing or malformed signature');
  }
  const expected = Buffer.from(hmac(secret, t, rawBody), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) {
    throw new AppError('WEBHOOK_SIGNATURE_INVALID', 'signature does not match the body');
  }
  if (Math.abs(opts.nowMs / 1000 - t) > opts.toleranceSec) {
    throw new AppError('WEBHOOK_STALE', `timestamp outside the ${opts.toleranceSec}s tolerance`);
  }
  return t;
}

function hmac(secret: string, t: number, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest('hex');
}
