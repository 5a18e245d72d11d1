/**
 * This node's view of the fan levels of the viewers it serves: read from the Redis mirror when a viewer joins
 * (one HGET), dropped when their last socket in the room leaves, and answered synchronously when they comment.
 * NOTE: a level recomputed while a viewer is in the room shows from their next join.
 */
import type { FanLevel } from '@lc/contracts/growth.schema';
import { FanLevel as FanLevelSchema } from '@lc/contracts/growth.schema';
import type { Redis } from 'ioredis';
import type { Keys } from '../../redis/keys';

export function createFanTags(deps: { redis: Redis; keys: Keys }) {
  const held = new Map<string, { level: FanLevel | undefined; sockets: number }>();
  const k = (liveId: string, userId: string) => `${liveId}\n${userId}`;
  return {
    async joined(liveId: string, hostId: string, userId: string): Promise<void> {
      const raw = await deps.redis.hget(deps.keys.fanLevels(hostId), userId);
      const parsed = FanLevelSchema.safeParse(raw);
      const entry = held.get(k(liveId, userId));
      const level = parsed.success ? parsed.data : undefined;
      if (entry) {
        entry.sockets++;
        entry.level = level;
      } else held.set(k(liveId, userId), { level, sockets: 1 });
    },
    left(liveId: string, userId: string): void {
      const entry = held.get(k(liveId, userId));
      if (entry && --entry.sockets <= 0) held.delete(k(liveId, userId));
    },
    levelOf: (liveId: string, userId: string) => held.get(k(liveId, userId))?.level,
  };
}
