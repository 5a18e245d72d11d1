/**
 * Fan levels and badges of a merchant, recomputed set-based from the ledger (attendance, orders, points,
 * lottery draws, answered questions): a few statements per merchant however many fans it has.
 */
import {
  type Badge,
  DEFAULT_FAN_LEVEL_RULES,
  type FanLevel,
  FanLevelRules,
  type FanStatus,
  type Tier,
} from '@lc/contracts/growth.schema';
import type { Db, Queryable } from './db';

const tierSql = (p: number) =>
  `(coalesce(pts.points, 0) >= $${p} AND coalesce(att.lives, 0) >= $${p + 1} AND coalesce(ord.orders, 0) >= $${p + 2}
    AND coalesce(ord.spend, 0) >= $${p + 3})`;
const tierParams = (t: Tier) => [t.points, t.lives, t.orders, t.spend];

export async function levelRulesOf(q: Queryable, merchantId: string): Promise<FanLevelRules> {
  const { rows } = await q.query<{ rules: unknown }>(
    'SELECT rules FROM fan_level_rules WHERE merchant_id = $1',
    [merchantId],
  );
  return rows[0] ? FanLevelRules.parse(rows[0].rules) : DEFAULT_FAN_LEVEL_RULES;
}

export function createFanLevelsRepo(db: Db) {
  return {
    rules: (merchantId: string) => levelRulesOf(db, merchantId),
    async setRules(merchantId: string, rules: FanLevelRules): Promise<void> {
      await db.query(
        `INSERT INTO fan_level_rules (merchant_id, rules) VALUES ($1, $2::jsonb)
         ON CONFLICT (merchant_id) DO UPDATE SET rules = EXCLUDED.rules, updated_at = now()`,
        [merchantId, JSON.stringify(rules)],
      );
    },

    /**
     * Recomputes every fan's level (anyone who attended, ordered or holds points) and awards new badges.
     * Returns the fans counted per level and the badges added.
     */
    async recompute(
      merchantId: string,
      rules: FanLevelRules,
      now: Date,
    ): Promise<{ byLevel: Record<FanLevel, number>; badges: number }> {
      const since = new Date(now.getTime() - rules.windowDays * 86_400_000);
      return db.tx(async (q) => {
        await q.query(
          `WITH att AS (SELECT user_id, count(*)::int AS lives FROM live_attendance WHERE merchant_id = $1 GROUP BY user_id),
                ord AS (SELECT o.user_id, count(*)::int AS orders, sum(o.total)::bigint AS spend
                        FROM orders o JOIN lives l ON l.id = o.live_id
                        WHERE l.host_id = $1 AND o.kind = 'sale' GROUP BY o.user_id),
                pts AS (SELECT user_id, sum(delta)::bigint AS points FROM points_ledger
                        WHERE merchant_id = $1 AND kind <> 'spend' AND created_at >= $2 GROUP BY user_id),
                fans AS (SELECT user_id FROM att UNION SELECT user_id FROM ord UNION SELECT user_id FROM pts)
           INSERT INTO fan_levels (merchant_id, user_id, level, points, lives, orders, spend, computed_at)
           SELECT $1, f.user_id,
                  CASE WHEN ${tierSql(11)} THEN 'high_value'
                       WHEN ${tierSql(7)} THEN 'loyal'
                       WHEN ${tierSql(3)} THEN 'active'
                       ELSE 'normal' END,
                  coalesce(pts.points, 0), coalesce(att.lives, 0), coalesce(ord.orders, 0), coalesce(ord.spend, 0), $15
           FROM fans f LEFT JOIN att USING (user_id) LEFT JOIN ord USING (user_id) LEFT JOIN pts USING (user_id)
           WHERE f.user_id <> $1
           ON CONFLICT (merchant_id, user_id) DO UPDATE SET level = EXCLUDED.level, points = EXCLUDED.points,
             lives = EXCLUDED.lives, orders = EXCLUDED.orders, spend = EXCLUDED.spend, computed_at = EXCLUDED.computed_at`,
          [
            merchantId,
            since,
            ...tierParams(rules.active),
            ...tierParams(rules.loyal),
            ...tierParams(rules.highValue),
            now,
          ],
        );
        const badges = await q.query(
          `INSERT INTO fan_badges (merchant_id, user_id, badge, source)
           SELECT $1, user_id, 'first_purchase', '' FROM fan_levels WHERE merchant_id = $1 AND orders >= 1
           UNION ALL SELECT $1, user_id, 'lives_3', '' FROM fan_levels WHERE merchant_id = $1 AND lives >= 3
           UNION ALL SELECT $1, user_id, 'lives_10', '' FROM fan_levels WHERE merchant_id = $1 AND lives >= 10
           UNION ALL
           SELECT $1, a.user_id, 'top_liker', 'live:' || a.live_id FROM live_attendance a
           WHERE a.merchant_id = $1 AND a.likes > 0 AND a.likes = (
             SELECT max(b.likes) FROM live_attendance b WHERE b.live_id = a.live_id)
           UNION ALL
           SELECT $1, w.user_id, 'lottery_winner', 'lottery:' || d.lottery_id
           FROM lottery_draws d JOIN lotteries l ON l.id = d.lottery_id JOIN lives v ON v.id = l.live_id,
                LATERAL jsonb_array_elements_text(d.winners) AS w(user_id)
           WHERE v.host_id = $1
           UNION ALL
           SELECT $1, qn.author_id, 'question_answered', 'question:' || qn.id
           FROM questions qn JOIN lives v ON v.id = qn.live_id WHERE v.host_id = $1 AND qn.status = 'answered'
           ON CONFLICT DO NOTHING`,
          [merchantId],
        );
        const { rows } = await q.query<{ level: FanLevel; n: number }>(
          'SELECT level, count(*)::int AS n FROM fan_levels WHERE merchant_id = $1 GROUP BY level',
          [merchantId],
        );
        const byLevel = { normal: 0, active: 0, loyal: 0, high_value: 0 };
        for (const r of rows) byLevel[r.level] = r.n;
        return { byLevel, badges: badges.rowCount };
      });
    },

    /** Fans above `normal` (what chat shows), for the Redis mirror. */
    async tagged(merchantId: string): Promise<Array<{ userId: string; level: FanLevel }>> {
      const { rows } = await db.query<{ user_id: string; level: FanLevel }>(
        "SELECT user_id, level FROM fan_levels WHERE merchant_id = $1 AND level <> 'normal'",
        [merchantId],
      );
      return rows.map((r) => ({ userId: r.user_id, level: r.level }));
    },

    async status(merchantId: string, userId: string): Promise<FanStatus> {
      const [lv, bd] = await Promise.all([
        db.query<{ level: FanLevel; points: string; lives: number; orders: number; spend: string }>(
          'SELECT level, points, lives, orders, spend FROM fan_levels WHERE merchant_id = $1 AND user_id = $2',
          [merchantId, userId],
        ),
        db.query<{ badge: Badge; source: string }>(
          'SELECT badge, source FROM fan_badges WHERE merchant_id = $1 AND user_id = $2 ORDER BY awarded_at, badge, source',
          [merchantId, userId],
        ),
      ]);
      const r = lv.rows[0];
      return {
        merchantId,
        userId,
        level: r?.level ?? 'normal',
        points: Number(r?.points ?? 0),
        lives: r?.lives ?? 0,
        orders: r?.orders ?? 0,
        spend: Number(r?.spend ?? 0),
        badges: bd.rows,
      };
    },

    async fans(merchantId: string, level?: FanLevel, limit = 500) {
      const { rows } = await db.query<{
        user_id: string;
        level: FanLevel;
        points: string;
        lives: number;
        orders: number;
        spend: string;
      }>(
        `SELECT user_id, level, points, lives, orders, spend FROM fan_levels
         WHERE merchant_id = $1 AND ($2::text IS NULL OR level = $2) ORDER BY spend DESC, points DESC, user_id LIMIT $3`,
        [merchantId, level ?? null, limit],
      );
      return rows.map((r) => ({
        userId: r.user_id,
        level: r.level,
        points: Number(r.points),
        lives: r.lives,
        orders: r.orders,
        spend: Number(r.spend),
      }));
    },
  };
}
export type FanLevelsRepo = ReturnType<typeof createFanLevelsRepo>;
