/**
 * Replay sales and attributions (#17, migration 041). A product shown during a live is sold from its replay by
 * one `sales` row marked `replay` per product, created on the first purchase: the product's list price, all
 * its stock not promised to the live's sales. Attributions record where in the recording a buyer reserved.
 */
import type { Db } from './db';

export interface ReplaySaleRow {
  id: string;
  productId: string;
  title: string;
  imageUrl: string | null;
  price: number;
  currency: string;
  units: number;
  perUserLimit: number;
  productPerUserLimit: number;
  opensAt: number;
  closesAt: number;
}

interface Row {
  id: string;
  product_id: string;
  title: string;
  image_url: string | null;
  deal_price: string;
  currency: string;
  units: number;
  sale_limit: number;
  product_limit: number;
  opens_at: Date;
  closes_at: Date;
}

const SELECT_REPLAY_SALE = `SELECT s.id, s.product_id, p.title, p.image_url, s.deal_price, s.currency, s.units,
    s.per_user_limit AS sale_limit, p.per_user_limit AS product_limit, s.opens_at, s.closes_at
  FROM sales s JOIN products p ON p.id = s.product_id
  WHERE s.product_id = $1 AND s.live_id = $2 AND s.source = 'replay'`;

const toSale = (r: Row): ReplaySaleRow => ({
  id: r.id,
  productId: r.product_id,
  title: r.title,
  imageUrl: r.image_url,
  price: Number(r.deal_price),
  currency: r.currency,
  units: r.units,
  perUserLimit: r.sale_limit,
  productPerUserLimit: r.product_limit,
  opensAt: r.opens_at.getTime(),
  closesAt: r.closes_at.getTime(),
});

export function createReplaySalesRepo(db: Db) {
  return {
    /**
     * The product's replay sale, created with `id` when it has none. Undefined when the product is gone or has
     * no unit left to sell. NOTE: the product row is locked first, so concurrent first buyers create one sale.
     */
    ensure(
      liveId: string,
      productId: string,
      id: string,
      window: { opensAt: number; closesAt: number },
    ): Promise<ReplaySaleRow | undefined> {
      return db.tx(async (q) => {
        const { rows: locked } = await q.query<{ free: number; per_user_limit: number }>(
          `SELECT stock - allocated AS free, per_user_limit FROM products
           WHERE id = $1 AND live_id = $2 AND deleted_at IS NULL FOR UPDATE`,
          [productId, liveId],
        );
        const product = locked[0];
        if (!product) return undefined;
        const existing = await q.query<Row>(SELECT_REPLAY_SALE, [productId, liveId]);
        if (existing.rows[0]) return toSale(existing.rows[0]);
        if (product.free <= 0) return undefined;
        const limit =
          product.per_user_limit > 0 ? Math.min(product.per_user_limit, product.free) : product.free;
        await q.query(
          `INSERT INTO sales (id, live_id, product_id, deal_price, currency, units, per_user_limit, countdown_at,
             opens_at, closes_at, fair_window_ms, source)
           SELECT $1, live_id, id, price, currency, $3, $4, $5, $5, $6, 0, 'replay' FROM products WHERE id = $2`,
          [id, productId, product.free, limit, new Date(window.opensAt), new Date(window.closesAt)],
        );
        await q.query('UPDATE products SET allocated = stock, updated_at = now() WHERE id = $1', [productId]);
        const created = await q.query<Row>(SELECT_REPLAY_SALE, [productId, liveId]);
        return toSale(created.rows[0]!);
      });
    },

    /** Where the buyer was when reserving; the first write for a reservation wins (a replayed request). */
    async attribute(a: {
      reservationId: string;
      liveId: string;
      userId: string;
      offsetMs: number;
      chapter: number | null;
    }): Promise<void> {
      await db.query(
        `INSERT INTO replay_attributions (reservation_id, live_id, user_id, offset_ms, chapter)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (reservation_id) DO NOTHING`,
        [a.reservationId, a.liveId, a.userId, a.offsetMs, a.chapter],
      );
    },

    /**
     * Whether the live's own settlement is past the point where it may touch Redis commerce keys: it released
     * them (clean), or it wrote its report with a mismatch (which keeps them). Replay sales start only then.
     */
    async liveSettled(liveId: string): Promise<boolean> {
      const { rows } = await db.query<{ settled: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM commerce_settlements WHERE live_id = $1)
           OR (EXISTS (SELECT 1 FROM commerce_reports WHERE live_id = $1)
               AND EXISTS (SELECT 1 FROM commerce_reconciliations WHERE live_id = $1 AND NOT ok)) AS settled`,
        [liveId],
      );
      return rows[0]?.settled === true;
    },

    /** Sale ids of the live's replay sales. */
    async saleIds(liveId: string): Promise<string[]> {
      const { rows } = await db.query<{ id: string }>(
        `SELECT id FROM sales WHERE live_id = $1 AND source = 'replay'`,
        [liveId],
      );
      return rows.map((r) => r.id);
    },
  };
}
export type ReplaySalesRepo = ReturnType<typeof createReplaySalesRepo>;
