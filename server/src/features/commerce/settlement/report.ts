/**
 * The post-live commerce report: orders, units, GMV and discounts per currency, coupons redeemed, buyers,
 * conversion (buyers / unique viewers) and impressions, clicks and CTR per product. Written once per live
 * (`commerce_reports`); later runs read the stored row. Lottery prize orders (kind 'prize', total 0) are not
 * sales: they count in none of these figures.
 */

import type { CommerceReport } from '@lc/contracts/commerce.schema';
import type { Redis } from 'ioredis';
import type { Db } from '../../../ledger/db';
import type { Keys } from '../../../redis/keys';
import { productStats } from '../products/products.service';
import { storedReconciliations } from './reconcile';

export async function buildReport(db: Db, redis: Redis, keys: Keys, liveId: string): Promise<CommerceReport> {
  const [totals, byCurrency, byProduct, redeemed, products, uniqueViewers, reconciliation] =
    await Promise.all([
      db.query<{ orders: number; units: number; buyers: number }>(
        `SELECT count(*)::int AS orders, coalesce(sum(quantity), 0)::int AS units,
         count(DISTINCT user_id)::int AS buyers FROM orders WHERE live_id = $1 AND kind = 'sale' AND status <> 'refunded'`,
        [liveId],
      ),
      db.query<{ currency: string; gmv: string; discounts: string }>(
        `SELECT currency, sum(total) AS gmv, sum(discount) AS discounts FROM orders WHERE live_id = $1 AND kind = 'sale' AND status <> 'refunded'
       GROUP BY currency ORDER BY currency`,
        [liveId],
      ),
      db.query<{ product_id: string; units: number; gmv: string }>(
        `SELECT product_id, sum(quantity)::int AS units, sum(total) AS gmv FROM orders WHERE live_id = $1 AND kind = 'sale' AND status <> 'refunded'
       GROUP BY product_id`,
        [liveId],
      ),
      db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM coupon_redemptions r JOIN orders o ON o.id = r.order_id WHERE o.live_id = $1`,
        [liveId],
      ),
      db.query<{ id: string; title: string; currency: string }>(
        'SELECT id, title, currency FROM products WHERE live_id = $1 ORDER BY created_at, id',
        [liveId],
      ),
      redis.scard(keys.uniqueViewers(liveId)),
      storedReconciliations(db, liveId),
    ]);
  const t = totals.rows[0] ?? { orders: 0, units: 0, buyers: 0 };
  const sold = new Map(byProduct.rows.map((r) => [r.product_id, r]));
  const currencyOf = new Map(products.rows.map((p) => [p.id, p.currency]));
  const stats = await productStats(redis, keys, liveId, async () => products.rows);
  return {
    liveId,
    orders: t.orders,
    units: t.units,
    buyers: t.buyers,
    uniqueViewers,
    conversion: uniqueViewers > 0 ? t.buyers / uniqueViewers : 0,
    gmv: Object.fromEntries(byCurrency.rows.map((r) => [r.currency, Number(r.gmv)])),
    discounts: Object.fromEntries(byCurrency.rows.map((r) => [r.currency, Number(r.discounts)])),
    couponsRedeemed: redeemed.rows[0]?.n ?? 0,
    products: stats.map((s) => ({
      ...s,
      units: sold.get(s.productId)?.units ?? 0,
      gmv: Number(sold.get(s.productId)?.gmv ?? 0),
      currency: currencyOf.get(s.productId) ?? '',
    })),
    reconciliation,
    createdAt: new Date().toISOString(),
  };
}

/** Stores the report once; returns the stored one (the first run's). */
export async function writeReport(
  db: Db,
  report: CommerceReport,
): Promise<{ written: boolean; report: CommerceReport }> {
  const { rowCount } = await db.query(
    `INSERT INTO commerce_reports (live_id, orders, units, buyers, unique_viewers, report)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (live_id) DO NOTHING`,
    [report.liveId, report.orders, report.units, report.buyers, report.uniqueViewers, JSON.stringify(report)],
  );
  const stored = await readReport(db, report.liveId);
  return { written: rowCount === 1, report: stored ?? report };
}

export async function readReport(db: Db, liveId: string): Promise<CommerceReport | undefined> {
  const { rows } = await db.query<{ report: CommerceReport }>(
    'SELECT report FROM commerce_reports WHERE live_id = $1',
    [liveId],
  );
  return rows[0]?.report;
}
