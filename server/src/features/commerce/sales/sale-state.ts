/**
 * A sale's Redis state: the initial hash written at scheduling, the key lists the sale scripts take, and the
 * wire view (deadlines on the server clock, live counters) read back from the hash.
 */
import type { Sale, SaleCounters, SaleStatus } from '@lc/contracts/commerce.schema';
import type { Keys } from '../../../redis/keys';

export interface SaleConfig {
  id: string;
  liveId: string;
  productId: string;
  title: string;
  imageUrl: string | null;
  listPrice: number;
  dealPrice: number;
  currency: string;
  units: number;
  perUserLimit: number;
  productPerUserLimit: number;
  countdownAt: number;
  opensAt: number;
  closesAt: number;
  fairUntil: number;
}

/** The sale hash as first written (field/value pairs for sale-create-2.lua). */
export function initialSaleHash(c: SaleConfig): string[] {
  const fields: Record<string, string | number> = {
    id: c.id,
    liveId: c.liveId,
    productId: c.productId,
    title: c.title,
    imageUrl: c.imageUrl ?? '',
    listPrice: c.listPrice,
    price: c.dealPrice,
    currency: c.currency,
    perUser: c.perUserLimit,
    productPerUser: c.productPerUserLimit,
    countdownAt: c.countdownAt,
    opensAt: c.opensAt,
    closesAt: c.closesAt,
    fairUntil: c.fairUntil,
    fairDone: 0,
    late: 0,
    initial: c.units,
    remaining: c.units,
    reserved: 0,
    sold: 0,
    ver: 0,
    admitted: 0,
    annVer: 0,
    annAt: 0,
  };
  return Object.entries(fields).flatMap(([k, v]) => [k, String(v)]);
}

export const saleStatus = (s: Pick<Sale, 'countdownAt' | 'opensAt' | 'closesAt'>, now: number): SaleStatus =>
  now >= s.closesAt ? 'closed' : now >= s.opensAt ? 'open' : now >= s.countdownAt ? 'countdown' : 'scheduled';

export function countersOf(h: Record<string, string>): SaleCounters {
  return {
    initial: Number(h.initial ?? 0),
    remaining: Number(h.remaining ?? 0),
    reserved: Number(h.reserved ?? 0),
    sold: Number(h.sold ?? 0),
    version: Number(h.ver ?? 0),
  };
}

/** The wire view of a sale hash; undefined when the hash is empty (no such sale). */
export function saleView(h: Record<string, string>, now: number): Sale | undefined {
  if (!h.id) return undefined;
  const times = {
    countdownAt: Number(h.countdownAt),
    opensAt: Number(h.opensAt),
    closesAt: Number(h.closesAt),
  };
  return {
    id: h.id,
    liveId: h.liveId!,
    productId: h.productId!,
    title: h.title ?? '',
    imageUrl: h.imageUrl ? h.imageUrl : null,
    listPrice: Number(h.listPrice),
    dealPrice: Number(h.price),
    currency: h.currency!,
    perUserLimit: Number(h.perUser),
    ...times,
    fairUntil: Number(h.fairUntil),
    status: saleStatus(times, now),
    stock: countersOf(h),
  };
}

/** KEYS of sale-reserve-10.lua. */
export const reserveKeys = (keys: Keys, liveId: string, saleId: string, productId: string) => [
  keys.sale(liveId, saleId),
  keys.saleFair(liveId, saleId),
  keys.saleTickets(liveId, saleId),
  keys.saleUsers(liveId, saleId),
  keys.productUsers(liveId, productId),
  keys.reservations(liveId),
  keys.saleExpiry(liveId, saleId),
  keys.idempotency(liveId),
  keys.userReservations(liveId),
  keys.bans(liveId),
];

/** KEYS of sale-expire-6.lua. */
export const expireKeys = (keys: Keys, liveId: string, saleId: string, productId: string) => [
  keys.sale(liveId, saleId),
  keys.saleUsers(liveId, saleId),
  keys.productUsers(liveId, productId),
  keys.reservations(liveId),
  keys.saleExpiry(liveId, saleId),
  keys.couponUses(liveId),
];

/** Member of the global active-sales registry the sweeper visits. */
export const activeMember = (liveId: string, saleId: string) => `${liveId}/${saleId}`;
export const parseActiveMember = (m: string) => {
  const [liveId, saleId] = m.split('/');
  return liveId && saleId ? { liveId, saleId } : undefined;
};
