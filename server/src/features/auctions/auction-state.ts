/**
 * An auction's Redis state: the wire view read back from its hash, the increment table's encoding for Lua,
 * the key lists of the auction scripts and the member format of the auction clock's due set.
 */
import { type Auction, type IncrementRow, incrementAt } from '@lc/contracts/auction.schema';
import type { Keys } from '../../redis/keys';

/** `from:step from:step …` (auction-bid-7.lua parses it). */
export const encodeIncrements = (rows: IncrementRow[]) => rows.map((r) => `${r.from}:${r.step}`).join(' ');
export const decodeIncrements = (s: string): IncrementRow[] =>
  s
    .split(' ')
    .filter(Boolean)
    .map((pair) => {
      const [from, step] = pair.split(':').map(Number);
      return { from: from!, step: step! };
    });

const num = (v: string | undefined) => (v === undefined || v === '' ? null : Number(v));

/** The wire view of an auction hash; undefined when the hash is empty. */
export function auctionView(h: Record<string, string>): Auction | undefined {
  if (!h.id) return undefined;
  const increments = decodeIncrements(h.incs ?? '');
  const price = num(h.price);
  const start = Number(h.start);
  const reserve = Number(h.reserve ?? 0);
  return {
    id: h.id,
    liveId: h.liveId!,
    productId: h.productId!,
    saleId: h.saleId!,
    title: h.title ?? '',
    imageUrl: h.imageUrl ? h.imageUrl : null,
    currency: h.currency!,
    startPrice: start,
    hasReserve: reserve > 0,
    reserveMet: reserve === 0 || (price ?? 0) >= reserve,
    increments,
    mode: h.mode === 'sudden' ? 'sudden' : 'soft',
    softCloseMs: Number(h.softMs ?? 0),
    startsAt: Number(h.startsAt ?? 0),
    endsAt: Number(h.endsAt ?? 0),
    capAt: Number(h.capAt ?? 0),
    status: (h.status ?? 'open') as Auction['status'],
    price,
    leader: h.leader ? { id: h.leader, name: h.leaderName ?? '' } : null,
    minBid: price === null ? start : price + incrementAt(increments, price),
    bids: Number(h.bids ?? 0),
    holder: h.holder ? { id: h.holder, name: h.holderName ?? '' } : null,
    holderPrice: num(h.holderPrice),
    payBy: num(h.payBy),
    offer: Number(h.offer ?? 0),
  };
}

/** KEYS of auction-settle-13.lua. */
export const settleKeys = (
  keys: Keys,
  liveId: string,
  auctionId: string,
  saleId: string,
  productId: string,
) => [
  keys.auction(liveId, auctionId),
  keys.auctionActive(liveId),
  keys.auctionBidders(liveId, auctionId),
  keys.commerce(liveId),
  keys.sale(liveId, saleId),
  keys.saleUsers(liveId, saleId),
  keys.productUsers(liveId, productId),
  keys.reservations(liveId),
  keys.saleExpiry(liveId, saleId),
  keys.userReservations(liveId),
  keys.seq(liveId),
  keys.log(liveId),
  keys.auctionDefaulters(liveId),
];

/** Member of the global due set the auction clock visits. */
export const dueMember = (liveId: string, auctionId: string) => `${liveId}/${auctionId}`;
export const parseDueMember = (m: string) => {
  const [liveId, auctionId] = m.split('/');
  return liveId && auctionId ? { liveId, auctionId } : undefined;
};
