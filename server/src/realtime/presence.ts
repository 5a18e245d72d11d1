/**
 * Room presence in Redis: online users (a user with several tabs counts once), unique viewers (an exact set),
 * peak concurrency, joins/leaves per minute. Exact under concurrency: each change is one Lua script.
 * Also the time each user watched (sessions from first connection to last disconnection; see `watchedMs`).
 */

import type { Presence } from '@lc/contracts/room.schema';
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys';
import type { Scripts } from '../redis/scripts';

// NOTE: per-second buckets summed over the last 60 make "last minute" a rolling window: per-minute buckets
// drop to 0 at every minute boundary.
const WINDOW_S = 60;
const BUCKET_TTL_S = WINDOW_S + 60;
const secondOf = (ms: number) => Math.floor(ms / 1000);

export interface PresenceStore {
  join(liveId: string, userId: string): Promise<{ online: number; peak: number; first: boolean }>;
  leave(liveId: string, userId: string, connections?: number): Promise<{ online: number; last: boolean }>;
  get(liveId: string): Promise<Presence>;
  /** Ms this user watched the live: closed sessions plus the open one, if any. */
  watchedMs(liveId: string, userId: string): Promise<number>;
  /**
   * Removes every connection a node recorded for the room (graceful shutdown, a dead node's sweep); watch
   * sessions they close end at `at` (a dead node's last heartbeat), default now. Idempotent.
   */
  releaseNode(liveId: string, nodeId: string, at?: number): Promise<void>;
}

export function createPresence(deps: {
  redis: Redis;
  scripts: Scripts;
  keys: Keys;
  nodeId: string;
  now?: () => number;
}): PresenceStore {
  const { redis, scripts, keys, nodeId } = deps;
  const now = deps.now ?? Date.now;
  const leave = async (liveId: string, userId: string, connections = 1, node = nodeId, at = now()) => {
    const [online, last] = await scripts.run<[number, number]>(
      'presence-leave',
      [
        keys.conns(liveId),
        keys.online(liveId),
        keys.leaves(liveId, secondOf(now())),
        keys.nodeConns(liveId, node),
      ],
      [userId, connections, BUCKET_TTL_S],
    );
    // Watch time: the user's session in this room ends with their last connection.
    if (last === 1)
      await scripts.run('watch-stop', [keys.watchSince(liveId), keys.watchMs(liveId)], [userId, at]);
    return { online, last: last === 1 };
  };
  return {
    async join(liveId, userId) {
      const [online, peak, first] = await scripts.run<[number, number, number]>(
        'presence-join',
        [
          keys.conns(liveId),
          keys.online(liveId),
          keys.peak(liveId),
          keys.uniqueViewers(liveId),
          keys.joins(liveId, secondOf(now())),
          keys.nodeConns(liveId, nodeId),
        ],
        [userId, BUCKET_TTL_S],
      );
      // NOTE: HSETNX so a join racing the previous session's close keeps the earlier start (never over-counts
      // more than that race's window).
      if (first === 1) await redis.hsetnx(keys.watchSince(liveId), userId, now());
      return { online, peak, first: first === 1 };
    },
    leave: (liveId, userId, connections) => leave(liveId, userId, connections),
    async get(liveId) {
      const s = secondOf(now());
      const window = (key: (liveId: string, second: number) => string) =>
        Array.from({ length: WINDOW_S }, (_, i) => key(liveId, s - i));
      const res = await redis
        .multi()
        .get(keys.online(liveId))
        .get(keys.peak(liveId))
        .scard(keys.uniqueViewers(liveId))
        .mget(window(keys.joins))
        .mget(window(keys.leaves))
        .exec();
      const n = (i: number) => Number(res?.[i]?.[1] ?? 0);
      const sum = (i: number) =>
        ((res?.[i]?.[1] ?? []) as (string | null)[]).reduce((a, x) => a + Number(x ?? 0), 0);
      return { online: n(0), peak: n(1), unique: n(2), joinsLastMinute: sum(3), leavesLastMinute: sum(4) };
    },
    async watchedMs(liveId, userId) {
      const [since, total] = await Promise.all([
        redis.hget(keys.watchSince(liveId), userId),
        redis.hget(keys.watchMs(liveId), userId),
      ]);
      return Number(total ?? 0) + (since ? Math.max(0, now() - Number(since)) : 0);
    },
    async releaseNode(liveId, node, at) {
      const held = await redis.hgetall(keys.nodeConns(liveId, node));
      for (const [userId, count] of Object.entries(held)) {
        await leave(liveId, userId, Number(count), node, at ?? now());
      }
    },
  };
}
