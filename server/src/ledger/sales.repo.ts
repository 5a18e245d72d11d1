/** Flash sales (`sales`): scheduling draws the units from the product's stock in the same transaction. */
import type { Product } from '@lc/contracts/commerce.schema';
import type { Db } from './db';
import type { ProductsRepo } from './products.repo';

export interface NewSale {
  id: string;
  liveId: string;
  productId: string;
  dealPrice: number;
  currency: string;
  units: number;
  perUserLimit: number;
  countdownAt: number;
  opensAt: number;
  closesAt: number;
  fairWindowMs: number;
}

export interface SaleRow {
  id: string;
  live_id: string;
  product_id: string;
  deal_price: string;
  units: number;
  closes_at: Date;
  closed_at: Date | null;
}

export function createSalesRepo(db: Db, products: ProductsRepo) {
  return {
    /** @throws PRODUCT_NOT_FOUND, INSUFFICIENT_STOCK */
    insert(s: NewSale): Promise<Product> {
      return db.tx(async (q) => {
        const product = await products.allocate(q, s.liveId, s.productId, s.units);
        await q.query(
          `INSERT INTO sales (id, live_id, product_id, deal_price, currency, units, per_user_limit,
             countdown_at, opens_at, closes_at, fair_window_ms)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [
            s.id,
            s.liveId,
            s.productId,
            s.dealPrice,
            s.currency,
            s.units,
            s.perUserLimit,
            new Date(s.countdownAt),
            new Date(s.opensAt),
            new Date(s.closesAt),
            s.fairWindowMs,
          ],
        );
        return product;
      });
    },
    async close(saleId: string, at: number): Promise<void> {
      await db.query('UPDATE sales SET closed_at = $2 WHERE id = $1 AND closed_at IS NULL', [
        saleId,
        new Date(at),
      ]);
    },
    async listByLive(liveId: string): Promise<SaleRow[]> {
      const { rows } = await db.query<SaleRow>(
        'SELECT id, live_id, product_id, deal_price, units, closes_at, closed_at FROM sales WHERE live_id = $1 ORDER BY opens_at, id',
        [liveId],
      );
      return rows;
    },
  };
}
export type SalesRepo = ReturnType<typeof createSalesRepo>;
