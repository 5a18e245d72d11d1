/**
 * Redis outages as a public error: a call that could not reach Redis becomes SERVICE_UNAVAILABLE (fail closed),
 * while script and command errors pass through unchanged. Lua scripts are atomic, so a failed call wrote nothing.
 */
import { AppError } from '@lc/contracts/errors';
import { ReplyError } from 'ioredis';
import type { ScriptName, Scripts } from './scripts';

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
    if (isRedisDown(err)) throw new AppError('SERVICE_UNAVAILABLE', 'the store is unreachable');
    throw err;
  }
}

/** Runs a script with the outage mapping. */
export function runScript<T>(scripts: Scripts, name: ScriptName, keys: string[], args: (string | number)[]) {
  return guardRedis(() => scripts.run<T>(name, keys, args));
}
