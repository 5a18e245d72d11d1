/**
 * Products of a live: host CRUD (ledger first, then the Redis mirror the room reads), the pinned "now
 * explaining" product, and impression / click counting for the click-through rate.
 */
import { randomUUID } from 'node:crypto';
import type { TokenClaims } from '@lc/contracts/auth.schema';
import {
  COMMERCE_EVENT,
  Product,
  type ProductBody,
  type ProductPatch,
  type ProductStats,
} from '@lc/contracts/commerce.schema';
import { AppError } from '@lc/contracts/errors';
import type { Redis } from 'ioredis';
import type { ProductsRepo } from '../../../ledger/products.repo';
import type { RoomLog } from '../../../realtime/room-log';
import type { Keys } from '../../../redis/keys';
import { guardRedis, runScript } from '../../../redis/outage';
import type { Scripts } from '../../../redis/scripts';
import type { LiveGate } from '../live-gate';

export function createProductsService(deps: {
  repo: ProductsRepo;
  redis: Redis;
  keys: Keys;
  scripts: Scripts;
  roomLog: RoomLog;
  gate: LiveGate;
}) {
  const { repo, redis, keys, roomLog, gate } = deps;

  const mirror = async (p: Product) => {
    await redis.hset(keys.products(p.liveId), p.id, JSON.stringify(p));
    await roomLog.append(p.liveId, COMMERCE_EVENT.productUpserted, { product: p });
    return p;
  };

  const list = async (liveId: string): Promise<Product[]> => {
    const all = await guardRedis(() => redis.hgetall(keys.products(liveId)));
    let products = Object.values(all).map((raw) => Product.parse(JSON.parse(raw)));
    if (products.length === 0) {
      // NOTE: an empty mirror (e.g. a restored Redis) is rebuilt from the ledger, the record.
      products = await repo.list(liveId);
      if (products.length > 0) {
        await redis.hset(keys.products(liveId), ...products.flatMap((p) => [p.id, JSON.stringify(p)]));
      }
    }
    return products.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  };

  /** @throws PRODUCT_NOT_FOUND */
  const get = async (liveId: string, productId: string): Promise<Product> => {
    const raw = await guardRedis(() => redis.hget(keys.products(liveId), productId));
    if (raw) return Product.parse(JSON.parse(raw));
    const found = (await list(liveId)).find((p) => p.id === productId);
    if (!found) throw new AppError('PRODUCT_NOT_FOUND', `product ${productId} not found`);
    return found;
  };

  return {
    list,
    get,
    /** Re-mirrors a product the ledger changed (e.g. units allocated to a sale) and tells the room. */
    refresh: mirror,
    /** @throws FORBIDDEN, LIVE_NOT_FOUND, LIVE_ENDED */
    async create(user: TokenClaims, liveId: string, body: ProductBody): Promise<Product> {
      await gate.requireHost(user, liveId, { open: true });
      return mirror(await repo.insert({ ...body, id: randomUUID(), liveId }));
    },
    /** @throws FORBIDDEN, LIVE_NOT_FOUND, LIVE_ENDED, PRODUCT_NOT_FOUND, INSUFFICIENT_STOCK */
    async update(
      user: TokenClaims,
      liveId: string,
      productId: string,
      patch: ProductPatch,
    ): Promise<Product> {
      await gate.requireHost(user, liveId, { open: true });
      return mirror(await repo.update(liveId, productId, patch));
    },
    /** @throws FORBIDDEN, LIVE_NOT_FOUND, PRODUCT_NOT_FOUND, CONFLICT (it has sales) */
    async remove(user: TokenClaims, liveId: string, productId: string): Promise<void> {
      await gate.requireHost(user, liveId);
      await repo.remove(liveId, productId);
      await redis.hdel(keys.products(liveId), productId);
      const unpinned = await runScript<number>(
        deps.scripts,
        'key-del-if',
        [keys.pinnedProduct(liveId)],
        [productId],
      );
      if (unpinned === 1) await roomLog.append(liveId, COMMERCE_EVENT.productPinned, { productId: null });
      await roomLog.append(liveId, COMMERCE_EVENT.productRemoved, { productId });
    },
    /** Pins a product as "now explaining" (null unpins). @throws FORBIDDEN, LIVE_ENDED, PRODUCT_NOT_FOUND */
    async pin(user: TokenClaims, liveId: string, productId: string | null): Promise<{ seq: number }> {
      await gate.requireHost(user, liveId, { open: true });
      if (productId === null) {
        await redis.del(keys.pinnedProduct(liveId));
        return { seq: (await roomLog.append(liveId, COMMERCE_EVENT.productPinned, { productId: null })).seq };
      }
      const product = await get(liveId, productId);
      await redis.set(keys.pinnedProduct(liveId), productId);
      const ev = await roomLog.append(liveId, COMMERCE_EVENT.productPinned, { productId, product });
      return { seq: ev.seq };
    },
    pinned: (liveId: string) => redis.get(keys.pinnedProduct(liveId)),
    /** Records that these products were shown to the viewer; returns how many were new for them. */
    async impressions(liveId: string, userId: string, productIds: string[]): Promise<{ counted: number }> {
      const ids = [...new Set(productIds)];
      const known = await guardRedis(() => redis.hmget(keys.products(liveId), ...ids));
      const pipe = redis.pipeline();
      ids.forEach((id, i) => {
        if (known[i]) pipe.sadd(keys.productSeen(liveId, id), userId);
      });
      const res = (await guardRedis(() => pipe.exec())) ?? [];
      return { counted: res.reduce((n, [, added]) => n + Number(added ?? 0), 0) };
    },
    /** @throws PRODUCT_NOT_FOUND */
    async click(liveId: string, userId: string, productId: string): Promise<{ clicks: number }> {
      if (!(await guardRedis(() => redis.hexists(keys.products(liveId), productId)))) {
        throw new AppError('PRODUCT_NOT_FOUND', `product ${productId} not found`);
      }
      const [, clicks] = await runScript<[number, number]>(
        deps.scripts,
        'product-click',
        [keys.productClickers(liveId, productId), keys.productClicks(liveId)],
        [userId, productId],
      );
      return { clicks };
    },
    /** Impressions, clicks and CTR per product (also what the post-live report records). */
    stats: (liveId: string) => productStats(redis, keys, liveId, list),
  };
}
export type ProductsService = ReturnType<typeof createProductsService>;

export async function productStats(
  redis: Redis,
  keys: Keys,
  liveId: string,
  list: (liveId: string) => Promise<Array<{ id: string; title: string }>>,
): Promise<ProductStats[]> {
  const products = await list(liveId);
  if (products.length === 0) return [];
  const pipe = redis.pipeline();
  for (const p of products) {
    pipe.scard(keys.productSeen(liveId, p.id));
    pipe.scard(keys.productClickers(liveId, p.id));
  }
  pipe.hgetall(keys.productClicks(liveId));
  const res = (await pipe.exec()) ?? [];
  const clicks = (res[res.length - 1]?.[1] ?? {}) as Record<string, string>;
  return products.map((p, i) => {
    const impressions = Number(res[2 * i]?.[1] ?? 0);
    const clickers = Number(res[2 * i + 1]?.[1] ?? 0);
    return {
      productId: p.id,
      title: p.title,
      impressions,
      clickers,
      clicks: Number(clicks[p.id] ?? 0),
      ctr: impressions > 0 ? Math.min(1, clickers / impressions) : 0,
    };
  });
}
