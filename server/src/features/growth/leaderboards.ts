/**
 * Leaderboards: a live's top likers from its Redis sorted set (written by the like flush), pushed to the room
 * by a room ticker at most once a second; a merchant's fans by points per week / month / all time from the
 * points ledger (exact: the ledger is the record); a live's final likes, comments, spend and shares boards
 * from the ledger once its growth step wrote the attendance.
 */
import {
  LEADERBOARD_SIZE,
  type LeaderboardEntry,
  type LiveLeaderboards,
  type PeriodLeaderboard,
} from '@lc/contracts/growth.schema';
import type { Redis } from 'ioredis';
import type { Db } from '../../ledger/db';
import type { Keys } from '../../redis/keys';

const PERIOD_DAYS = { week: 7, month: 30, all: null } as const;

export function createLeaderboards(deps: { redis: Redis; keys: Keys; db: Db; now?: () => number }) {
  const now = deps.now ?? Date.now;
  return {
    async live(liveIds: string[]): Promise<Map<string, LeaderboardEntry[]>> {
      const pipe = deps.redis.pipeline();
      for (const id of liveIds) pipe.zrevrange(deps.keys.likesBy(id), 0, LEADERBOARD_SIZE - 1, 'WITHSCORES');
      const res = (await pipe.exec()) ?? [];
      const out = new Map<string, LeaderboardEntry[]>();
      liveIds.forEach((id, i) => {
        const flat = (res[i]?.[1] as string[] | undefined) ?? [];
        if (flat.length === 0) return;
        const entries: LeaderboardEntry[] = [];
        for (let j = 0; j + 1 < flat.length; j += 2)
          entries.push({ userId: flat[j]!, value: Number(flat[j + 1]) });
        out.set(id, entries);
      });
      return out;
    },
    /** The live's boards from the ledger (ties by user id). */
    async final(liveId: string): Promise<LiveLeaderboards> {
      const top = async (sql: string) => {
        const { rows } = await deps.db.query<{ user_id: string; v: string }>(
          `SELECT user_id, v FROM (${sql}) t WHERE v > 0 ORDER BY v DESC, user_id LIMIT $2`,
          [liveId, LEADERBOARD_SIZE],
        );
        return rows.map((r) => ({ userId: r.user_id, value: Number(r.v) }));
      };
      const [run, likes, comments, spend, shares] = await Promise.all([
        deps.db.query('SELECT 1 FROM points_live_runs WHERE live_id = $1', [liveId]),
        top('SELECT user_id, likes::bigint AS v FROM live_attendance WHERE live_id = $1'),
        top('SELECT user_id, comments::bigint AS v FROM live_attendance WHERE live_id = $1'),
        top(
          "SELECT user_id, sum(total)::bigint AS v FROM orders WHERE live_id = $1 AND kind = 'sale' GROUP BY user_id",
        ),
        top(
          "SELECT user_id, quantity AS v FROM points_ledger WHERE live_id = $1 AND kind = 'share' AND source = 'live:' || $1",
        ),
      ]);
      return { liveId, final: run.rows.length === 1, likes, comments, spend, shares };
    },
    async period(merchantId: string, period: keyof typeof PERIOD_DAYS): Promise<PeriodLeaderboard> {
      const days = PERIOD_DAYS[period];
      const since = days === null ? null : new Date(now() - days * 86_400_000);
      const { rows } = await deps.db.query<{ user_id: string; points: string }>(
        `SELECT user_id, sum(delta) AS points FROM points_ledger
         WHERE merchant_id = $1 AND kind <> 'spend' AND ($2::timestamptz IS NULL OR created_at >= $2)
         GROUP BY user_id HAVING sum(delta) > 0 ORDER BY sum(delta) DESC, user_id LIMIT $3`,
        [merchantId, since, LEADERBOARD_SIZE],
      );
      return {
        merchantId,
        period,
        since: since?.toISOString() ?? null,
        entries: rows.map((r) => ({ userId: r.user_id, value: Number(r.points) })),
      };
    },
  };
}
