/**
 * The one place commerce Lua return codes become public errors, and Redis outages become
 * SERVICE_UNAVAILABLE (the scripts are atomic, so a failed call wrote nothing).
 */

import { AppError, ERROR_CODES, type ErrorBody, type ErrorCode } from '@lc/contracts/errors';
import { ReplyError } from 'ioredis';
import type { ScriptName, Scripts } from '../../redis/scripts';

/** Negative codes shared by every commerce script (see each script's contract header). */
const CODES: Record<number, [ErrorCode, string]> = {
  [-1]: ['SALE_NOT_FOUND', 'no such sale in this live'],
  [-2]: ['SALE_NOT_OPEN', 'the sale has not opened yet'],
  [-3]: ['SALE_ENDED', 'the sale has ended'],
  [-4]: ['IDEMPOTENCY_MISMATCH', 'this Idempotency-Key was used with a different request'],
  [-5]: ['NOT_FOUND', 'no attempt recorded under this Idempotency-Key'],
  [-6]: ['SOLD_OUT', 'sold out'],
  [-7]: ['PURCHASE_LIMIT', 'the per-user limit would be exceeded'],
  [-8]: ['RESERVATION_NOT_FOUND', 'no such reservation'],
  [-9]: ['RESERVATION_EXPIRED', 'the reservation has expired'],
  [-10]: ['PAYMENT_IN_PROGRESS', 'a payment for this reservation is in progress'],
  [-11]: ['ALREADY_PAID', 'the reservation is already paid'],
  [-12]: ['COUPON_NOT_CLAIMED', 'no unused coupon of this kind'],
  [-14]: ['COUPON_NOT_FOUND', 'no such coupon in this live'],
  [-15]: ['LIVE_ENDED', 'the live has ended'],
  [-16]: ['COUPON_LOCKED', 'the coupon unlocks when its like goal is reached'],
  [-17]: ['COUPON_EXHAUSTED', 'all coupons of this kind are claimed'],
  [-18]: ['COUPON_LIMIT', 'you already claimed as many as allowed'],
};

/**
 * The public error body for a negative script code, without an exception: a flash sale answers most attempts
 * with SOLD_OUT or PURCHASE_LIMIT, and an Error (stack capture, the framework's error path) per refusal is
 * measurable there.
 */
export function scriptRefusal(code: number, details?: unknown): ErrorBody & { status: number } {
  const known = CODES[code];
  if (!known)
    return { code: 'INTERNAL', message: `unexpected script code ${code}`, status: ERROR_CODES.INTERNAL };
  return details === undefined
    ? { code: known[0], message: known[1], status: ERROR_CODES[known[0]] }
    : { code: known[0], message: known[1], details, status: ERROR_CODES[known[0]] };
}

/** The public error for a negative script code. */
export function scriptError(code: number, details?: unknown): AppError {
  const known = CODES[code];
  if (!known) return new AppError('INTERNAL', `unexpected script code ${code}`);
  return new AppError(known[0], known[1], details);
}

/** True for errors meaning "Redis could not be reached" (as opposed to a script or command error). */
export function isRedisDown(err: unknown): boolean {
  if (err instanceof ReplyError) return false;
  const e = err as { name?: string; code?: string; message?: string } | null;
  if (!e || typeof e !== 'object') return false;
  return (
    e.name === 'MaxRetriesPerRequestError' ||
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND'].includes(e.code ?? '') ||
    /Connection is closed|Stream isn't writeable|enableOfflineQueue/i.test(e.message ?? '')
  );
}

/** Maps Redis outages to SERVICE_UNAVAILABLE; everything else is rethrown unchanged. */
export async function guardRedis<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isRedisDown(err)) throw new AppError('SERVICE_UNAVAILABLE', 'the commerce store is unreachable');
    throw err;
  }
}

/** Runs a commerce script with the outage mapping. */
export function runScript<T>(scripts: Scripts, name: ScriptName, keys: string[], args: (string | number)[]) {
  return guardRedis(() => scripts.run<T>(name, keys, args));
}
