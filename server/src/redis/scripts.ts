/**
 * Loads every `lua/<name>-<numKeys>.lua` file as an ioredis custom command (EVALSHA with EVAL fallback).
 * The file name carries the key count, so callers can't pass the wrong number of keys.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

const LUA_DIR = join(dirname(fileURLToPath(import.meta.url)), 'lua');

export type ScriptName =
  | 'room-append'
  | 'room-since'
  | 'room-head'
  | 'presence-join'
  | 'presence-leave'
  | 'node-beat'
  | 'node-repaired'
  | 'node-claim'
  | 'node-forget'
  // interaction
  | 'comment-send'
  | 'comment-delete'
  | 'comment-release'
  | 'hash-take'
  | 'rate-limit'
  | 'likes-flush'
  | 'like-goal-add'
  | 'poll-open'
  | 'poll-vote'
  | 'poll-close'
  | 'share-join'
  // commerce
  | 'sale-create'
  | 'sale-reserve'
  | 'sale-expire'
  | 'sale-announce'
  | 'sale-close'
  | 'reservation-pay'
  | 'reservation-confirm'
  | 'coupon-claim'
  | 'product-click'
  | 'key-del-if'
  // lottery and watch time
  | 'lottery-open'
  | 'lottery-enter'
  | 'lottery-freeze'
  | 'lottery-takeover'
  | 'watch-stop'
  // growth
  | 'crisis-tick'
  // auctions
  | 'auction-open'
  | 'auction-bid'
  | 'auction-settle'
  // invites
  | 'invite-join'
  // group buys
  | 'groupbuy-join'
  | 'groupbuy-expire'
  | 'groupbuy-refunded';

export interface Scripts {
  run<T = unknown>(name: ScriptName, keys: string[], args: (string | number)[]): Promise<T>;
}

/** Registers scripts on a connection; call once per ioredis client that runs them. */
export function loadScripts(redis: Redis): Scripts {
  const numKeys = new Map<string, number>();
  for (const file of readdirSync(LUA_DIR)) {
    const m = /^(.+)-(\d+)\.lua$/.exec(file);
    if (!m) continue;
    const [, name, n] = m as unknown as [string, string, string];
    numKeys.set(name, Number(n));
    redis.defineCommand(`lc_${name.replace(/-/g, '_')}`, {
      numberOfKeys: Number(n),
      lua: readFileSync(join(LUA_DIR, file), 'utf8'),
    });
  }
  return {
    run<T>(name: ScriptName, keys: string[], args: (string | number)[]): Promise<T> {
      const expected = numKeys.get(name);
      if (expected === undefined) throw new Error(`unknown Lua script ${name}`);
      if (keys.length !== expected) throw new Error(`${name} takes ${expected} keys, got ${keys.length}`);
      const fn = (redis as unknown as Record<string, (...a: unknown[]) => Promise<T>>)[
        `lc_${name.replace(/-/g, '_')}`
      ];
      return fn!.call(redis, ...keys, ...args);
    },
  };
}
