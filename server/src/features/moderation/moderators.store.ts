/** Per-live moderators appointed by the host: a Redis set, read fresh by every privileged command. */
import type { Redis } from 'ioredis';
import type { Keys } from '../../redis/keys';

export function createModeratorsStore(deps: { redis: Redis; keys: Keys }) {
  const { redis, keys } = deps;
  return {
    has: async (liveId: string, userId: string) =>
      (await redis.sismember(keys.moderators(liveId), userId)) === 1,
    list: async (liveId: string) => (await redis.smembers(keys.moderators(liveId))).sort(),
    /** true when the user was not a moderator before. */
    add: async (liveId: string, userId: string) => (await redis.sadd(keys.moderators(liveId), userId)) === 1,
    remove: async (liveId: string, userId: string) =>
      (await redis.srem(keys.moderators(liveId), userId)) === 1,
  };
}
export type ModeratorsStore = ReturnType<typeof createModeratorsStore>;
