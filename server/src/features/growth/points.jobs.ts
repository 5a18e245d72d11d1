/**
 * End-of-live step `growth-points`: applies the merchant's points rules to what the live recorded and writes
 * the awards to the points ledger.
 * - Per-live awards (watch minutes, comments, likes, share joins) read the room keys in Redis, once: the first
 *   run records the rules it used in `points_live_runs`, in the same transaction as the awards, and the
 *   `room-keys` step waits for that row before it releases the keys.
 * - Purchases (per order), lottery entries (per drawn lottery) and follows (once per merchant) come from the
 *   ledger and are awarded on every run; each award is unique per source, so a run again inserts nothing new.
 *   Purchases wait for settlement's report (every paid order recorded): until then the step runs again later.
 */
import type { PointsRules } from '@lc/contracts/growth.schema';
import { PointsRules as RulesSchema } from '@lc/contracts/growth.schema';
import type { EndOfLiveStep, StepContext } from '../../jobs/end-of-live';
import type { Queryable } from '../../ledger/db';
import { rulesOf } from '../../ledger/growth.repo';
import { insertAwards } from '../../ledger/points.repo';
import type { FanLevels } from './fan-levels';
import { followAwards, type LiveFacts, liveAwards, lotteryAwards, orderAwards } from './points-rules';
import type { Segments } from './segments';

export const GROWTH_POINTS_STEP = 'growth-points';

/** Reads the live's per-user facts from its room keys (watch time up to the end of the live). */
export async function readLiveFacts(ctx: StepContext, merchantId: string): Promise<LiveFacts> {
  const { redis, keys, liveId } = ctx;
  const res = await redis
    .multi()
    .hgetall(keys.watchMs(liveId))
    .hgetall(keys.watchSince(liveId))
    .hvals(keys.commentIndex(liveId))
    .zrange(keys.likesBy(liveId), 0, -1, 'WITHSCORES')
    .hgetall(keys.shareJoins(liveId))
    .smembers(keys.uniqueViewers(liveId))
    .smembers(keys.refJoined(liveId))
    .exec();
  const at = <T>(i: number) => res?.[i]?.[1] as T;
  const endedAt = Date.parse(ctx.endedAt);
  const watchMs = new Map<string, number>();
  for (const [u, ms] of Object.entries(at<Record<string, string>>(0) ?? {})) watchMs.set(u, Number(ms));
  // NOTE: a session still open when the step runs counts up to the end of the live, not to now.
  for (const [u, since] of Object.entries(at<Record<string, string>>(1) ?? {}))
    watchMs.set(u, (watchMs.get(u) ?? 0) + Math.max(0, endedAt - Number(since)));
  const comments = new Map<string, number>();
  for (const v of at<string[]>(2) ?? []) {
    const author = v.slice(v.indexOf('|') + 1);
    comments.set(author, (comments.get(author) ?? 0) + 1);
  }
  const likes = new Map<string, number>();
  const z = at<string[]>(3) ?? [];
  for (let i = 0; i + 1 < z.length; i += 2) likes.set(z[i]!, Number(z[i + 1]));
  const shareJoins = new Map<string, number>();
  for (const [u, n] of Object.entries(at<Record<string, string>>(4) ?? {})) shareJoins.set(u, Number(n));
  const viewers = at<string[]>(5) ?? [];
  const viaShare = new Set(at<string[]>(6) ?? []);
  return { merchantId, liveId, watchMs, comments, likes, shareJoins, viewers, viaShare };
}

/** One row per viewer of the live (the merchant excluded): the attendance fan levels and analytics count. */
async function insertAttendance(q: Queryable, f: LiveFacts, endedAt: string): Promise<void> {
  const viewers = f.viewers.filter((u) => u !== f.merchantId);
  for (let i = 0; i < viewers.length; i += 1000) {
    const params: unknown[] = [f.liveId, f.merchantId, new Date(endedAt)];
    const values = viewers.slice(i, i + 1000).map((u, j) => {
      params.push(u, f.watchMs.get(u) ?? 0, f.comments.get(u) ?? 0, f.likes.get(u) ?? 0, f.viaShare.has(u));
      const b = 4 + 5 * j;
      return `($1, $2, $${b}, $${b + 1}::bigint, $${b + 2}::int, $${b + 3}::int, $${b + 4}::boolean, $3)`;
    });
    await q.query(
      `INSERT INTO live_attendance (live_id, merchant_id, user_id, watch_ms, comments, likes, via_share, ended_at)
       VALUES ${values.join(', ')} ON CONFLICT DO NOTHING`,
      params,
    );
  }
}

export function growthPointsStep(opts: {
  /** Fan levels over the step's ledger and Redis (recomputed after every run). */
  levels: (ctx: StepContext) => Pick<FanLevels, 'recompute'>;
  /** Lifecycle segments over the step's ledger (recomputed after every run, after the levels). */
  segments?: (ctx: StepContext) => Pick<Segments, 'recompute'>;
  rerunAt?: (liveId: string, endedAt: string, at: number) => Promise<unknown>;
  now?: () => number;
}): EndOfLiveStep {
  const now = opts.now ?? Date.now;
  return {
    name: GROWTH_POINTS_STEP,
    roomKeys: {
      async done({ db, liveId }) {
        const { rows } = await db.query('SELECT 1 FROM points_live_runs WHERE live_id = $1', [liveId]);
        return rows.length === 1;
      },
    },
    async run(ctx) {
      const { db, liveId } = ctx;
      const live = await db.query<{ host_id: string }>('SELECT host_id FROM lives WHERE id = $1', [liveId]);
      const merchantId = live.rows[0]?.host_id;
      if (!merchantId) return { skipped: 'no such live' };
      const run = await db.query<{ rules: unknown }>(
        'SELECT rules FROM points_live_runs WHERE live_id = $1',
        [liveId],
      );
      let rules: PointsRules;
      let liveAwarded = 0;
      if (run.rows[0]) {
        rules = RulesSchema.parse(run.rows[0].rules);
      } else {
        rules = await rulesOf(db, merchantId);
        const facts = await readLiveFacts(ctx, merchantId);
        const awards = liveAwards(rules, facts);
        liveAwarded = await db.tx(async (q) => {
          const claimed = await q.query(
            `INSERT INTO points_live_runs (live_id, merchant_id, rules, awarded) VALUES ($1, $2, $3::jsonb, $4)
             ON CONFLICT (live_id) DO NOTHING`,
            [liveId, merchantId, JSON.stringify(rules), awards.length],
          );
          // NOTE: a concurrent run recorded them first; the unique sources would skip them anyway.
          if (claimed.rowCount !== 1) return 0;
          await insertAttendance(q, facts, ctx.endedAt);
          return insertAwards(q, awards);
        });
      }
      const [orders, lotteries, followers, report] = await Promise.all([
        db.query<{ id: string; user_id: string; total: string }>(
          'SELECT id, user_id, total FROM orders WHERE live_id = $1',
          [liveId],
        ),
        db.query<{ lottery_id: string; entrants: string[] }>(
          `SELECT d.lottery_id, d.entrants FROM lottery_draws d JOIN lotteries l ON l.id = d.lottery_id
           WHERE l.live_id = $1`,
          [liveId],
        ),
        db.query<{ user_id: string }>(
          `SELECT f.user_id FROM follows f WHERE f.host_id = $1 AND NOT EXISTS (
             SELECT 1 FROM points_ledger p
             WHERE p.merchant_id = $1 AND p.user_id = f.user_id AND p.kind = 'follow' AND p.source = 'follow')`,
          [merchantId],
        ),
        db.query('SELECT 1 FROM commerce_reports WHERE live_id = $1', [liveId]),
      ]);
      const later = [
        ...orderAwards(
          rules,
          merchantId,
          liveId,
          orders.rows.map((o) => ({ orderId: o.id, userId: o.user_id, total: Number(o.total) })),
        ),
        ...lotteryAwards(
          rules,
          merchantId,
          liveId,
          lotteries.rows.map((l) => ({ lotteryId: l.lottery_id, entrants: l.entrants })),
        ),
        ...followAwards(
          rules,
          merchantId,
          liveId,
          followers.rows.map((f) => f.user_id),
        ),
      ];
      const awarded = await db.tx((q) => insertAwards(q, later));
      const settled = report.rows.length === 1;
      const levels = await opts.levels(ctx).recompute(merchantId);
      const segments = await opts.segments?.(ctx).recompute(merchantId);
      if (!settled) await opts.rerunAt?.(liveId, ctx.endedAt, now() + 5_000);
      return { liveAwarded, awarded, settled, levels, segments };
    },
  };
}
