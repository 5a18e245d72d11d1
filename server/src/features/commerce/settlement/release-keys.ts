/**
 * Hands a settled live's hot commerce keys back to Redis: once settlement has confirmed every order and the
 * reconciliation came out clean, the ledger holds the truth and the stock, reservation, idempotency and sale
 * keys only cost memory. They are deleted (retain 0) or set to expire (a grace for late provider webhooks,
 * which need the reservation to be refunded). The ledger row `commerce_settlements` is written first, so a
 * later settlement run knows the keys are gone on purpose and reads the ledger only.
 */
import type { Redis } from 'ioredis';
import type { Db } from '../../../ledger/db';
import type { Keys } from '../../../redis/keys';
import { activeMember } from '../sales/sale-state';

/** Every commerce key of a live (all under its `{live:<id>}` hash tag, so one command may take them all). */
export function commerceKeysOf(
  keys: Keys,
  liveId: string,
  saleIds: string[],
  productIds: string[],
): string[] {
  return [
    keys.commerce(liveId),
    keys.products(liveId),
    keys.pinnedProduct(liveId),
    keys.productClicks(liveId),
    keys.sales(liveId),
    keys.reservations(liveId),
    keys.userReservations(liveId),
    keys.idempotency(liveId),
    keys.buyers(liveId),
    keys.coupons(liveId),
    keys.couponClaims(liveId),
    keys.couponUses(liveId),
    ...saleIds.flatMap((s) => [
      keys.sale(liveId, s),
      keys.saleFair(liveId, s),
      keys.saleTickets(liveId, s),
      keys.saleUsers(liveId, s),
      keys.saleExpiry(liveId, s),
    ]),
    ...productIds.flatMap((p) => [
      keys.productSeen(liveId, p),
      keys.productClickers(liveId, p),
      keys.productUsers(liveId, p),
    ]),
  ];
}

/** When the keys were released (undefined: not yet). */
export async function keysReleasedAt(db: Db, liveId: string): Promise<Date | undefined> {
  const { rows } = await db.query<{ keys_released_at: Date }>(
    'SELECT keys_released_at FROM commerce_settlements WHERE live_id = $1',
    [liveId],
  );
  return rows[0]?.keys_released_at;
}

/**
 * Records the release in the ledger, then deletes or expires the keys in one round trip. Idempotent: a rerun
 * (e.g. after a crash between the two) deletes again, and `EXPIRE … NX` never extends an expiry already set.
 * Sale and product ids come from the ledger, which still knows them after the keys are gone.
 */
export async function releaseCommerceKeys(
  deps: { db: Db; redis: Redis; keys: Keys },
  liveId: string,
  retainSec: number,
): Promise<{ keys: number }> {
  const { db, redis, keys } = deps;
  await db.query(
    `INSERT INTO commerce_settlements (live_id, keys_retain_sec) VALUES ($1, $2)
     ON CONFLICT (live_id) DO NOTHING`,
    [liveId, retainSec],
  );
  const [sales, products] = await Promise.all([
    // NOTE: replay sales (created after this release, features/replay) keep their keys.
    db.query<{ id: string }>(`SELECT id FROM sales WHERE live_id = $1 AND source = 'live'`, [liveId]),
    db.query<{ id: string }>('SELECT id FROM products WHERE live_id = $1', [liveId]),
  ]);
  const saleIds = sales.rows.map((r) => r.id);
  const all = commerceKeysOf(
    keys,
    liveId,
    saleIds,
    products.rows.map((r) => r.id),
  );
  const pipe = redis.pipeline();
  if (saleIds.length > 0) pipe.zrem(keys.activeSales, ...saleIds.map((s) => activeMember(liveId, s)));
  if (retainSec === 0) pipe.unlink(...all);
  else for (const k of all) pipe.expire(k, retainSec, 'NX');
  const results = await pipe.exec();
  const failed = results?.find(([err]) => err);
  if (failed) throw failed[0];
  return { keys: all.length };
}
