/**
 * Recomputes a merchant's fan levels and badges in the ledger and mirrors the levels above `normal` to Redis
 * (`fanLevels`), where chat reads them. Used by the end-of-live step and the on-demand route.
 */
import type { RecomputeResult } from '@lc/contracts/growth.schema';
import type { Redis } from 'ioredis';
import type { Db } from '../../ledger/db';
import { createFanLevelsRepo } from '../../ledger/fan-levels.repo';
import type { Keys } from '../../redis/keys';

const CHUNK = 5000;

export function createFanLevels(deps: { db: Db; redis: Redis; keys: Keys; now?: () => number }) {
  const repo = createFanLevelsRepo(deps.db);
  const now = deps.now ?? Date.now;
  return {
    repo,
    async recompute(merchantId: string): Promise<RecomputeResult> {
      const t0 = performance.now();
      const rules = await repo.rules(merchantId);
      const { byLevel, badges } = await repo.recompute(merchantId, rules, new Date(now()));
      const tagged = await repo.tagged(merchantId);
      // NOTE: built under a temporary key and renamed over the live one, so chat never sees a half mirror.
      const key = deps.keys.fanLevels(merchantId);
      const tmp = `${key}:next`;
      const pipe = deps.redis.multi().del(tmp);
      for (let i = 0; i < tagged.length; i += CHUNK)
        pipe.hset(tmp, ...tagged.slice(i, i + CHUNK).flatMap((t) => [t.userId, t.level]));
      if (tagged.length > 0) pipe.rename(tmp, key);
      else pipe.del(key);
      await pipe.exec();
      const fans = Object.values(byLevel).reduce((a, b) => a + b, 0);
      return { fans, byLevel, badges, ms: Math.round(performance.now() - t0) };
    },
  };
}
export type FanLevels = ReturnType<typeof createFanLevels>;
