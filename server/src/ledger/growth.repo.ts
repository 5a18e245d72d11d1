/** Growth settings of a merchant: its points rules (`points_rules`) and points-shop items (`points_shop_items`). */
import { DEFAULT_POINTS_RULES, PointsRules, type ShopItem } from '@lc/contracts/growth.schema';
import type { Db, Queryable } from './db';

type ItemRow = {
  id: string;
  merchant_id: string;
  title: string;
  cost: string;
  live_id: string;
  coupon_id: string;
};
const item = (r: ItemRow): ShopItem => ({
  id: r.id,
  merchantId: r.merchant_id,
  title: r.title,
  cost: Number(r.cost),
  liveId: r.live_id,
  couponId: r.coupon_id,
});

/** The merchant's rules; defaults for rules never set (and for rules added after they were stored). */
export async function rulesOf(q: Queryable, merchantId: string): Promise<PointsRules> {
  const { rows } = await q.query<{ rules: unknown }>(
    'SELECT rules FROM points_rules WHERE merchant_id = $1',
    [merchantId],
  );
  return rows[0] ? PointsRules.parse(rows[0].rules) : DEFAULT_POINTS_RULES;
}

export function createGrowthRepo(db: Db) {
  return {
    rules: (merchantId: string) => rulesOf(db, merchantId),
    async setRules(merchantId: string, rules: PointsRules): Promise<void> {
      await db.query(
        `INSERT INTO points_rules (merchant_id, rules) VALUES ($1, $2::jsonb)
         ON CONFLICT (merchant_id) DO UPDATE SET rules = EXCLUDED.rules, updated_at = now()`,
        [merchantId, JSON.stringify(rules)],
      );
    },
    async insertItem(p: Omit<ShopItem, 'id'> & { id: string }): Promise<ShopItem> {
      const { rows } = await db.query<ItemRow>(
        `INSERT INTO points_shop_items (id, merchant_id, title, cost, live_id, coupon_id)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [p.id, p.merchantId, p.title, p.cost, p.liveId, p.couponId],
      );
      return item(rows[0]!);
    },
    async items(merchantId: string): Promise<ShopItem[]> {
      const { rows } = await db.query<ItemRow>(
        'SELECT * FROM points_shop_items WHERE merchant_id = $1 ORDER BY created_at, id',
        [merchantId],
      );
      return rows.map(item);
    },
    async item(merchantId: string, itemId: string): Promise<ShopItem | null> {
      const { rows } = await db.query<ItemRow>(
        'SELECT * FROM points_shop_items WHERE merchant_id = $1 AND id = $2',
        [merchantId, itemId],
      );
      return rows[0] ? item(rows[0]) : null;
    },
    /** Whether the coupon belongs to that live and the live to the merchant. */
    async couponOfMerchant(merchantId: string, liveId: string, couponId: string): Promise<boolean> {
      const { rows } = await db.query(
        `SELECT 1 FROM coupons c JOIN lives l ON l.id = c.live_id
         WHERE c.id = $1 AND c.live_id = $2 AND l.host_id = $3`,
        [couponId, liveId, merchantId],
      );
      return rows.length === 1;
    },
    /** The order's buyer and its live's host (the merchant), or null. */
    async orderOwner(orderId: string): Promise<{ userId: string; merchantId: string } | null> {
      const { rows } = await db.query<{ user_id: string; host_id: string }>(
        'SELECT o.user_id, l.host_id FROM orders o JOIN lives l ON l.id = o.live_id WHERE o.id = $1',
        [orderId],
      );
      return rows[0] ? { userId: rows[0].user_id, merchantId: rows[0].host_id } : null;
    },
  };
}
export type GrowthRepo = ReturnType<typeof createGrowthRepo>;
