/**
 * Cross-live analytics of a merchant from the ledger: one set of aggregate statements, grouped either by live
 * or by period (the group key and its start are the only difference), so both views share every definition.
 * - Attendance: `live_attendance` (one row per viewer of an ended live, written by the growth step).
 * - Interacting: commented or liked (attendance) or asked a question (`questions`) in that live.
 * - Orders: sale orders (`kind = 'sale'`) of the merchant's lives, counted in the live they were placed in.
 * - CTR: the products' clickers ÷ impressions of the lives' commerce reports.
 */
import type { AnalyticsFigures } from '@lc/contracts/analytics.schema';
import type { Db } from './db';

export type Grouping = { kind: 'live' } | { kind: 'period'; unit: 'day' | 'week' | 'month' };

/** Key and start of a row's group: a live starts at its end; a period at its first instant (UTC). */
const groupOf = (g: Grouping, col: string) =>
  g.kind === 'live'
    ? { key: `${col.replace(/\.\w+$/, '')}.live_id::text`, start: col }
    : {
        key: `to_char(date_trunc('${g.unit}', ${col}, 'UTC') AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
        start: `date_trunc('${g.unit}', ${col}, 'UTC')`,
      };

const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);

/** The figures of a live nobody attended and nobody bought in. */
export const emptyFigures = (): AnalyticsFigures => ({
  lives: 1,
  uniqueViewers: 0,
  returningViewers: 0,
  newViewers: 0,
  retentionD1: 0,
  retentionD7: 0,
  retentionD30: 0,
  averageWatchMs: 0,
  interactionRate: 0,
  ctr: 0,
  buyers: 0,
  orders: 0,
  conversion: 0,
  gmv: {},
  repurchaseRate: 0,
  aovInteracting: 0,
  aovOthers: 0,
  shareJoins: 0,
});

type AttRow = {
  k: string;
  lives: number;
  viewers: number;
  returning: number;
  new_viewers: number;
  d1: number;
  d7: number;
  d30: number;
  avg_watch_ms: number | null;
  interacted: number;
  share_joins: number;
};
type OrdRow = {
  k: string;
  buyers: number;
  orders: number;
  repeat_buyers: number;
  gmv_i: string | null;
  orders_i: number;
  gmv_o: string | null;
  orders_o: number;
};

export function createAnalyticsRepo(db: Db) {
  return {
    /** Ended lives of the merchant in [from, to), oldest first. */
    async lives(merchantId: string, from: Date, to: Date) {
      const { rows } = await db.query<{ id: string; title: string; ended_at: Date }>(
        `SELECT id, title, ended_at FROM lives WHERE host_id = $1 AND status = 'ended' AND ended_at >= $2
         AND ended_at < $3 ORDER BY ended_at, id`,
        [merchantId, from, to],
      );
      return rows;
    },

    /** The figures of every group (live or period) of the merchant's lives that ended in [from, to). */
    async figures(
      merchantId: string,
      from: Date,
      to: Date,
      g: Grouping,
    ): Promise<Map<string, AnalyticsFigures>> {
      const a = groupOf(g, 'a.ended_at');
      const o = groupOf(g, 'o.ended_at');
      const params = [merchantId, from, to];
      const [att, ord, gmv, ctr] = await Promise.all([
        db.query<AttRow>(
          `WITH firsts AS (SELECT user_id, min(ended_at) AS first_at FROM live_attendance WHERE merchant_id = $1
                           GROUP BY user_id),
                rows AS (
                  SELECT a.live_id, a.user_id, a.watch_ms, a.via_share, a.ended_at, f.first_at,
                         ${a.key} AS k, ${a.start} AS start,
                         (a.comments > 0 OR a.likes > 0 OR EXISTS (
                            SELECT 1 FROM questions q WHERE q.live_id = a.live_id AND q.author_id = a.user_id)) AS interacted,
                         (SELECT min(b.ended_at) FROM live_attendance b
                          WHERE b.merchant_id = $1 AND b.user_id = a.user_id AND b.ended_at > a.ended_at) AS next_at
                  FROM live_attendance a JOIN firsts f USING (user_id)
                  WHERE a.merchant_id = $1 AND a.ended_at >= $2 AND a.ended_at < $3)
           SELECT k, count(DISTINCT live_id)::int AS lives, count(DISTINCT user_id)::int AS viewers,
                  count(DISTINCT user_id) FILTER (WHERE first_at < start)::int AS returning,
                  count(DISTINCT user_id) FILTER (WHERE first_at >= start)::int AS new_viewers,
                  count(DISTINCT user_id) FILTER (WHERE ended_at = first_at AND next_at <= ended_at + interval '1 day')::int AS d1,
                  count(DISTINCT user_id) FILTER (WHERE ended_at = first_at AND next_at <= ended_at + interval '7 days')::int AS d7,
                  count(DISTINCT user_id) FILTER (WHERE ended_at = first_at AND next_at <= ended_at + interval '30 days')::int AS d30,
                  avg(watch_ms)::float8 AS avg_watch_ms,
                  count(DISTINCT user_id) FILTER (WHERE interacted)::int AS interacted,
                  count(*) FILTER (WHERE via_share)::int AS share_joins
           FROM rows GROUP BY k`,
          params,
        ),
        db.query<OrdRow>(
          `WITH ord AS (SELECT o.live_id, o.user_id, o.total, l.ended_at FROM orders o JOIN lives l ON l.id = o.live_id
                        WHERE l.host_id = $1 AND o.kind = 'sale' AND l.status = 'ended'),
                firstbuy AS (SELECT user_id, min(ended_at) AS first_at FROM ord GROUP BY user_id),
                rows AS (
                  SELECT o.*, ${o.key} AS k, fb.first_at,
                         coalesce(a.comments > 0 OR a.likes > 0 OR EXISTS (
                           SELECT 1 FROM questions q WHERE q.live_id = o.live_id AND q.author_id = o.user_id), false) AS interacted
                  FROM ord o JOIN firstbuy fb USING (user_id)
                  LEFT JOIN live_attendance a ON a.live_id = o.live_id AND a.user_id = o.user_id
                  WHERE o.ended_at >= $2 AND o.ended_at < $3)
           SELECT k, count(DISTINCT user_id)::int AS buyers, count(*)::int AS orders,
                  count(DISTINCT user_id) FILTER (WHERE first_at < ended_at)::int AS repeat_buyers,
                  sum(total) FILTER (WHERE interacted) AS gmv_i, count(*) FILTER (WHERE interacted)::int AS orders_i,
                  sum(total) FILTER (WHERE NOT interacted) AS gmv_o, count(*) FILTER (WHERE NOT interacted)::int AS orders_o
           FROM rows GROUP BY k`,
          params,
        ),
        db.query<{ k: string; currency: string; gmv: string }>(
          `SELECT ${o.key} AS k, o.currency, sum(o.total) AS gmv
           FROM (SELECT o.live_id, o.currency, o.total, l.ended_at FROM orders o JOIN lives l ON l.id = o.live_id
                 WHERE l.host_id = $1 AND o.kind = 'sale' AND l.status = 'ended' AND l.ended_at >= $2 AND l.ended_at < $3) o
           GROUP BY 1, 2`,
          params,
        ),
        db.query<{ k: string; impressions: string; clickers: string }>(
          `SELECT ${o.key} AS k, sum((p->>'impressions')::bigint) AS impressions, sum((p->>'clickers')::bigint) AS clickers
           FROM (SELECT r.live_id, r.report, l.ended_at FROM commerce_reports r JOIN lives l ON l.id = r.live_id
                 WHERE l.host_id = $1 AND l.status = 'ended' AND l.ended_at >= $2 AND l.ended_at < $3) o,
                jsonb_array_elements(o.report->'products') p
           GROUP BY 1`,
          params,
        ),
      ]);
      const keys = new Set([...att.rows.map((r) => r.k), ...ord.rows.map((r) => r.k)]);
      const out = new Map<string, AnalyticsFigures>();
      const attBy = new Map(att.rows.map((r) => [r.k, r]));
      const ordBy = new Map(ord.rows.map((r) => [r.k, r]));
      const ctrBy = new Map(ctr.rows.map((r) => [r.k, r]));
      for (const k of keys) {
        const t = attBy.get(k);
        const b = ordBy.get(k);
        const c = ctrBy.get(k);
        const viewers = t?.viewers ?? 0;
        const newViewers = t?.new_viewers ?? 0;
        const buyers = b?.buyers ?? 0;
        out.set(k, {
          lives: t?.lives ?? 1,
          uniqueViewers: viewers,
          returningViewers: t?.returning ?? 0,
          newViewers,
          retentionD1: ratio(t?.d1 ?? 0, newViewers),
          retentionD7: ratio(t?.d7 ?? 0, newViewers),
          retentionD30: ratio(t?.d30 ?? 0, newViewers),
          averageWatchMs: t?.avg_watch_ms ?? 0,
          interactionRate: ratio(t?.interacted ?? 0, viewers),
          ctr: ratio(Number(c?.clickers ?? 0), Number(c?.impressions ?? 0)),
          buyers,
          orders: b?.orders ?? 0,
          conversion: ratio(buyers, viewers),
          gmv: Object.fromEntries(gmv.rows.filter((r) => r.k === k).map((r) => [r.currency, Number(r.gmv)])),
          repurchaseRate: ratio(b?.repeat_buyers ?? 0, buyers),
          aovInteracting: ratio(Number(b?.gmv_i ?? 0), b?.orders_i ?? 0),
          aovOthers: ratio(Number(b?.gmv_o ?? 0), b?.orders_o ?? 0),
          shareJoins: t?.share_joins ?? 0,
        });
      }
      return out;
    },
  };
}
export type AnalyticsRepo = ReturnType<typeof createAnalyticsRepo>;
