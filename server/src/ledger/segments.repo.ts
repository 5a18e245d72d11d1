/**
 * Lifecycle segments of a merchant's fans, recomputed set-based from attendance and orders (a few statements
 * however many fans), listed and exported by keyset pages, and used as the audience of a coupon: one claim
 * per (coupon, user), written in the same statement as the grant row whose primary key makes it once.
 */
import {
  DEFAULT_SEGMENT_RULES,
  type Segment,
  type SegmentCounts,
  type SegmentMember,
  SegmentRules,
} from '@lc/contracts/segments.schema';
import type { Db } from './db';

const DAY = 86_400_000;

type MemberRow = {
  user_id: string;
  display_name: string | null;
  segment: Segment;
  first_seen_at: Date;
  last_seen_at: Date;
  last_attended_at: Date | null;
  last_bought_at: Date | null;
  lives: number;
  orders: number;
  spend: string;
};

const toMember = (r: MemberRow): SegmentMember => ({
  userId: r.user_id,
  displayName: r.display_name,
  segment: r.segment,
  firstSeenAt: r.first_seen_at.toISOString(),
  lastSeenAt: r.last_seen_at.toISOString(),
  lastAttendedAt: r.last_attended_at?.toISOString() ?? null,
  lastBoughtAt: r.last_bought_at?.toISOString() ?? null,
  lives: r.lives,
  orders: r.orders,
  spend: Number(r.spend),
});

const emptyCounts = (): SegmentCounts => ({ new: 0, active: 0, dormant: 0, churned: 0 });

export type SegmentPhase = 'computing' | 'pruning' | 'counting';

export function createSegmentsRepo(db: Db) {
  const counts = async (merchantId: string) => {
    const { rows } = await db.query<{ segment: Segment; n: number; at: Date }>(
      `SELECT segment, count(*)::int AS n, max(computed_at) AS at FROM fan_segments WHERE merchant_id = $1
       GROUP BY segment`,
      [merchantId],
    );
    const out = emptyCounts();
    let at: Date | null = null;
    for (const r of rows) {
      out[r.segment] = r.n;
      if (!at || r.at > at) at = r.at;
    }
    return { counts: out, computedAt: at?.toISOString() ?? null };
  };

  return {
    async rules(merchantId: string): Promise<SegmentRules> {
      const { rows } = await db.query<{ rules: unknown }>(
        'SELECT rules FROM segment_rules WHERE merchant_id = $1',
        [merchantId],
      );
      return rows[0] ? SegmentRules.parse(rows[0].rules) : DEFAULT_SEGMENT_RULES;
    },
    async setRules(merchantId: string, rules: SegmentRules): Promise<void> {
      await db.query(
        `INSERT INTO segment_rules (merchant_id, rules) VALUES ($1, $2::jsonb)
         ON CONFLICT (merchant_id) DO UPDATE SET rules = EXCLUDED.rules, updated_at = now()`,
        [merchantId, JSON.stringify(rules)],
      );
    },

    /**
     * Recomputes every fan's segment as of `now` (anyone who attended a live of the merchant or ordered in
     * one) in one transaction: readers see the previous segments or the new ones, never a mix.
     */
    async recompute(
      merchantId: string,
      rules: SegmentRules,
      now: Date,
      progress: (phase: SegmentPhase) => Promise<unknown> = async () => {},
    ): Promise<{ fans: number; counts: SegmentCounts }> {
      const t = now.getTime();
      const cutoffs = [rules.newDays, rules.activeDays, rules.churnedDays].map((d) => new Date(t - d * DAY));
      return db.tx(async (q) => {
        await progress('computing');
        const up = await q.query(
          `WITH att AS (SELECT user_id, count(*)::int AS lives, min(ended_at) AS first_at, max(ended_at) AS last_at
                        FROM live_attendance WHERE merchant_id = $1 GROUP BY user_id),
                ord AS (SELECT o.user_id, count(*)::int AS orders, sum(o.total)::bigint AS spend,
                               min(o.created_at) AS first_at, max(o.created_at) AS last_at
                        FROM orders o JOIN lives l ON l.id = o.live_id
                        WHERE l.host_id = $1 AND o.kind = 'sale' GROUP BY o.user_id),
                f AS (SELECT user_id, least(att.first_at, ord.first_at) AS first_seen,
                             greatest(att.last_at, ord.last_at) AS last_seen, att.last_at AS last_att,
                             ord.last_at AS last_ord, coalesce(att.lives, 0) AS lives,
                             coalesce(ord.orders, 0) AS orders, coalesce(ord.spend, 0) AS spend
                      FROM att FULL JOIN ord USING (user_id))
           INSERT INTO fan_segments (merchant_id, user_id, segment, first_seen_at, last_seen_at, last_attended_at,
                                     last_bought_at, lives, orders, spend, computed_at)
           SELECT $1, user_id,
                  CASE WHEN first_seen >= $2 THEN 'new' WHEN last_seen >= $3 THEN 'active'
                       WHEN last_seen >= $4 THEN 'dormant' ELSE 'churned' END,
                  first_seen, last_seen, last_att, last_ord, lives, orders, spend, $5
           FROM f WHERE user_id <> $1
           ON CONFLICT (merchant_id, user_id) DO UPDATE SET segment = EXCLUDED.segment,
             first_seen_at = EXCLUDED.first_seen_at, last_seen_at = EXCLUDED.last_seen_at,
             last_attended_at = EXCLUDED.last_attended_at, last_bought_at = EXCLUDED.last_bought_at,
             lives = EXCLUDED.lives, orders = EXCLUDED.orders, spend = EXCLUDED.spend,
             computed_at = EXCLUDED.computed_at`,
          [merchantId, ...cutoffs, now],
        );
        await progress('pruning');
        await q.query('DELETE FROM fan_segments WHERE merchant_id = $1 AND computed_at <> $2', [
          merchantId,
          now,
        ]);
        await progress('counting');
        const { rows } = await q.query<{ segment: Segment; n: number }>(
          'SELECT segment, count(*)::int AS n FROM fan_segments WHERE merchant_id = $1 GROUP BY segment',
          [merchantId],
        );
        const out = emptyCounts();
        for (const r of rows) out[r.segment] = r.n;
        return { fans: up.rowCount, counts: out };
      });
    },

    counts,

    /** One keyset page of a segment, user ids ascending after `after`; `limit + 1` rows tell if more follow. */
    async page(merchantId: string, segment: Segment, after: string, limit: number): Promise<SegmentMember[]> {
      const { rows } = await db.query<MemberRow>(
        `SELECT s.user_id, u.display_name, s.segment, s.first_seen_at, s.last_seen_at, s.last_attended_at,
                s.last_bought_at, s.lives, s.orders, s.spend
         FROM fan_segments s LEFT JOIN users u ON u.id = s.user_id
         WHERE s.merchant_id = $1 AND s.segment = $2 AND s.user_id > $3 ORDER BY s.user_id LIMIT $4`,
        [merchantId, segment, after, limit],
      );
      return rows.map(toMember);
    },

    /** Whether the coupon belongs to one of the merchant's lives. */
    async couponOfMerchant(merchantId: string, couponId: string): Promise<boolean> {
      const { rows } = await db.query(
        'SELECT 1 FROM coupons c JOIN lives l ON l.id = c.live_id WHERE c.id = $1 AND l.host_id = $2',
        [couponId, merchantId],
      );
      return rows.length === 1;
    },

    /**
     * Issues one claim of the coupon to every member of the segment who has none from it through a segment.
     * NOTE: the grant row's primary key (coupon, user) decides: a concurrent or retried grant waits on the
     * rows the first one inserted and skips them, so each user gets exactly one claim.
     */
    async grantCoupon(
      merchantId: string,
      segment: Segment,
      couponId: string,
    ): Promise<{ audience: number; granted: number }> {
      return db.tx(async (q) => {
        const { rows } = await q.query<{ audience: number; granted: number }>(
          `WITH aud AS (SELECT user_id FROM fan_segments WHERE merchant_id = $1 AND segment = $2),
                ins AS (INSERT INTO segment_coupon_grants (coupon_id, user_id, merchant_id, segment, claim_no)
                        SELECT $3, a.user_id, $1, $2,
                               coalesce((SELECT max(claim_no) FROM coupon_claims c
                                         WHERE c.coupon_id = $3 AND c.user_id = a.user_id), 0) + 1
                        FROM aud a
                        ON CONFLICT (coupon_id, user_id) DO NOTHING
                        RETURNING user_id, claim_no),
                cl AS (INSERT INTO coupon_claims (coupon_id, user_id, claim_no)
                       SELECT $3, user_id, claim_no FROM ins ON CONFLICT DO NOTHING RETURNING 1)
           SELECT (SELECT count(*) FROM aud)::int AS audience, (SELECT count(*) FROM ins)::int AS granted,
                  (SELECT count(*) FROM cl)::int AS claims`,
          [merchantId, segment, couponId],
        );
        return { audience: rows[0]!.audience, granted: rows[0]!.granted };
      });
    },
  };
}
export type SegmentsRepo = ReturnType<typeof createSegmentsRepo>;
