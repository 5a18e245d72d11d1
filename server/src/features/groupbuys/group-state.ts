/**
 * A group buy's Redis state: the wire views read back from the offer and group hashes, the key lists of the
 * group-buy scripts and the member format of the group-buy clock's due set.
 */
import type { GroupBuyGroup, GroupBuyOffer } from '@lc/contracts/groupbuy.schema';
import type { Keys } from '../../redis/keys';

export function offerView(h: Record<string, string>): GroupBuyOffer | undefined {
  if (!h.id) return undefined;
  return {
    id: h.id,
    liveId: h.liveId!,
    productId: h.productId!,
    saleId: h.saleId!,
    title: h.title ?? '',
    currency: h.currency!,
    listPrice: Number(h.listPrice),
    groupPrice: Number(h.price),
    groupSize: Number(h.size),
    limitMs: Number(h.limitMs),
    closesAt: Number(h.closesAt),
  };
}

export function groupView(h: Record<string, string>): GroupBuyGroup | undefined {
  if (!h.id) return undefined;
  return {
    id: h.id,
    offerId: h.offerId!,
    leader: { id: h.leader!, name: h.leaderName ?? '' },
    size: Number(h.size),
    members: Number(h.n ?? 0),
    status: (h.status ?? 'open') as GroupBuyGroup['status'],
    expiresAt: Number(h.expiresAt),
  };
}

/** A member as groupbuy-join-14.lua writes it (refund: set by groupbuy-expire-14.lua). */
export interface MemberRecord {
  r: string;
  name: string;
  via: string;
  at: number;
  refund?: 'pending' | 'done';
}

/** KEYS of groupbuy-join-14.lua. */
export const joinKeys = (
  keys: Keys,
  liveId: string,
  offerId: string,
  groupId: string,
  saleId: string,
  productId: string,
) => [
  keys.groupBuy(liveId, offerId),
  keys.group(liveId, groupId),
  keys.groupMembers(liveId, groupId),
  keys.groupBuyUsers(liveId, offerId),
  keys.groupBuyOpen(liveId, offerId),
  keys.sale(liveId, saleId),
  keys.saleUsers(liveId, saleId),
  keys.productUsers(liveId, productId),
  keys.reservations(liveId),
  keys.saleExpiry(liveId, saleId),
  keys.userReservations(liveId),
  keys.bans(liveId),
  keys.seq(liveId),
  keys.log(liveId),
];

/** KEYS of groupbuy-expire-14.lua. */
export const expireKeys = (
  keys: Keys,
  liveId: string,
  offerId: string,
  groupId: string,
  saleId: string,
  productId: string,
) => [
  keys.group(liveId, groupId),
  keys.groupMembers(liveId, groupId),
  keys.groupBuyUsers(liveId, offerId),
  keys.groupBuyOpen(liveId, offerId),
  keys.sale(liveId, saleId),
  keys.saleUsers(liveId, saleId),
  keys.productUsers(liveId, productId),
  keys.reservations(liveId),
  keys.saleExpiry(liveId, saleId),
  keys.couponUses(liveId),
  keys.seq(liveId),
  keys.log(liveId),
  keys.groupBuy(liveId, offerId),
  keys.commerce(liveId),
];

/** Member of the global due set the group-buy clock visits. */
export const dueMember = (liveId: string, groupId: string) => `${liveId}/${groupId}`;
export const parseDueMember = (m: string) => {
  const [liveId, groupId] = m.split('/');
  return liveId && groupId ? { liveId, groupId } : undefined;
};
