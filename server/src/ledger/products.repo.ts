/** Products of a live (`products`): the catalogue record; Redis mirrors it for the room. */
import type { Product, ProductBody, ProductPatch } from '@lc/contracts/commerce.schema';
import { AppError } from '@lc/contracts/errors';
import type { Db, Queryable } from './db';

interface Row {
  id: string;
  live_id: string;
  title: string;
  image_url: string | null;
  price: string;
  currency: string;
  stock: number;
  per_user_limit: number;
  allocated: number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'id, live_id, title, image_url, price, currency, stock, per_user_limit, allocated, created_at, updated_at';

export const toProduct = (r: Row): Product => ({
  id: r.id,
  liveId: r.live_id,
  title: r.title,
  imageUrl: r.image_url,
  price: Number(r.price),
  currency: r.currency,
  stock: r.stock,
  perUserLimit: r.per_user_limit,
  allocated: r.allocated,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

async function lockProduct(q: Queryable, liveId: string, id: string): Promise<Row> {
  const { rows } = await q.query<Row>(
    `SELECT ${COLUMNS} FROM products WHERE id = $1 AND live_id = $2 AND deleted_at IS NULL FOR UPDATE`,
    [id, liveId],
  );
  if (!rows[0]) throw new AppError('PRODUCT_NOT_FOUND', `product ${id} not found`);
  return rows[0];
}

export function createProductsRepo(db: Db) {
  return {
    async insert(p: ProductBody & { id: string; liveId: string }): Promise<Product> {
      const { rows } = await db.query<Row>(
        `INSERT INTO products (id, live_id, title, image_url, price, currency, stock, per_user_limit)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
        [p.id, p.liveId, p.title, p.imageUrl, p.price, p.currency, p.stock, p.perUserLimit],
      );
      return toProduct(rows[0]!);
    },

    /** @throws PRODUCT_NOT_FOUND, INSUFFICIENT_STOCK (stock below the units promised to sales) */
    update(liveId: string, id: string, patch: ProductPatch): Promise<Product> {
      return db.tx(async (q) => {
        const cur = toProduct(await lockProduct(q, liveId, id));
        const next = { ...cur, ...patch };
        if (next.stock < cur.allocated) {
          throw new AppError('INSUFFICIENT_STOCK', `${cur.allocated} units are already promised to sales`);
        }
        const { rows } = await q.query<Row>(
          `UPDATE products SET title = $3, image_url = $4, price = $5, currency = $6, stock = $7,
             per_user_limit = $8, updated_at = now()
           WHERE id = $1 AND live_id = $2 RETURNING ${COLUMNS}`,
          [id, liveId, next.title, next.imageUrl, next.price, next.currency, next.stock, next.perUserLimit],
        );
        return toProduct(rows[0]!);
      });
    },

    /** Soft delete. @throws PRODUCT_NOT_FOUND, CONFLICT (sales draw on it) */
    remove(liveId: string, id: string): Promise<void> {
      return db.tx(async (q) => {
        const cur = await lockProduct(q, liveId, id);
        if (cur.allocated > 0) throw new AppError('CONFLICT', 'the product has sales; it cannot be removed');
        await q.query('UPDATE products SET deleted_at = now() WHERE id = $1', [id]);
      });
    },

    async list(liveId: string): Promise<Product[]> {
      const { rows } = await db.query<Row>(
        `SELECT ${COLUMNS} FROM products WHERE live_id = $1 AND deleted_at IS NULL ORDER BY created_at, id`,
        [liveId],
      );
      return rows.map(toProduct);
    },

    /** Promises `units` of the product's stock to a sale, inside the caller's transaction. */
    async allocate(q: Queryable, liveId: string, id: string, units: number): Promise<Product> {
      const cur = toProduct(await lockProduct(q, liveId, id));
      if (cur.allocated + units > cur.stock) {
        throw new AppError(
          'INSUFFICIENT_STOCK',
          `only ${cur.stock - cur.allocated} units of this product are left to put on sale`,
          { available: cur.stock - cur.allocated },
        );
      }
      const { rows } = await q.query<Row>(
        `UPDATE products SET allocated = allocated + $2, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, units],
      );
      return toProduct(rows[0]!);
    },
  };
}
export type ProductsRepo = ReturnType<typeof createProductsRepo>;
