/**
 * Live auctions: the host opens one at a time on a product (a one-unit commerce sale backs it), viewers bid
 * through one Redis script (auction-bid-7.lua) on the Redis server clock, and each accepted bid is a room event
 * appended by that script. The auction clock (auction-clock.ts) brings the hammer and passes the item to
 * runners-up; the winner pays through commerce's reservation and payment flow, and settlement confirms it.
 */
import { randomUUID } from 'node:crypto';
import {
  AUCTION_EVENT,
  type Auction,
  type AuctionBidPayload,
  AuctionBidResult,
  type AuctionCreatePayload,
  type AuctionsSnapshot,
} from '@lc/contracts/auction.schema';
import type { TokenClaims } from '@lc/contracts/auth.schema';
import { AppError } from '@lc/contracts/errors';
import type { Redis } from 'ioredis';
import type { SalesRepo } from '../../ledger/sales.repo';
import type { Keys } from '../../redis/keys';
import { guardRedis, runScript } from '../../redis/outage';
import { checkScript } from '../../redis/script-results';
import type { Scripts } from '../../redis/scripts';
import type { CommerceServices } from '../commerce/commerce.services';
import { initialSaleHash } from '../commerce/sales/sale-state';
import { auctionView, dueMember, encodeIncrements } from './auction-state';

export interface AuctionNotices {
  outbid(userId: string, p: { liveId: string; auctionId: string; price: number; minBid: number }): void;
}

export function createAuctionsService(deps: {
  redis: Redis;
  keys: Keys;
  scripts: Scripts;
  commerce: Pick<CommerceServices, 'gate' | 'products'>;
  salesRepo: SalesRepo;
  notices: AuctionNotices;
  roomLogMaxLen: number;
}) {
  const { redis, keys, scripts, commerce } = deps;

  const read = async (liveId: string, auctionId: string): Promise<Auction | undefined> =>
    auctionView(await guardRedis(() => redis.hgetall(keys.auction(liveId, auctionId))));

  /** @throws AUCTION_NOT_FOUND */
  const get = async (liveId: string, auctionId: string): Promise<Auction> => {
    const a = await read(liveId, auctionId);
    if (!a || a.liveId !== liveId) throw new AppError('AUCTION_NOT_FOUND', 'no such auction in this live');
    return a;
  };

  return {
    get,
    /**
     * Opens an auction on a product now: one unit is drawn from its stock into a sale that only the hammer
     * reserves, and the product is pinned.
     * @throws FORBIDDEN, LIVE_ENDED, AUCTION_ALREADY_OPEN, PRODUCT_NOT_FOUND, INSUFFICIENT_STOCK, VALIDATION
     */
    async create(user: TokenClaims, p: AuctionCreatePayload): Promise<Auction> {
      const { liveId } = p;
      await commerce.gate.requireHost(user, liveId, { open: true });
      if (p.reservePrice > 0 && p.reservePrice < p.startPrice) {
        throw new AppError('VALIDATION', 'reservePrice is below startPrice');
      }
      const product = await commerce.products.get(liveId, p.productId);
      const id = randomUUID();
      const claimed = await guardRedis(() => redis.set(keys.auctionActive(liveId), id, 'NX'));
      if (claimed !== 'OK')
        throw new AppError('AUCTION_ALREADY_OPEN', 'an auction is already open in this live');
      const saleId = randomUUID();
      const at = Date.now();
      try {
        const sale = {
          id: saleId,
          liveId,
          productId: product.id,
          title: product.title,
          imageUrl: product.imageUrl,
          listPrice: product.price,
          dealPrice: p.startPrice,
          currency: product.currency,
          units: 1,
          perUserLimit: 1,
          productPerUserLimit: 0,
          // NOTE: a window already over when the sale is created: the reserve gate refuses every attempt
          // (SALE_ENDED); only the hammer reserves its unit.
          countdownAt: at - 2,
          opensAt: at - 2,
          closesAt: at - 1,
          fairUntil: at - 2,
        };
        const updated = await deps.salesRepo.insert({ ...sale, fairWindowMs: 0 });
        await commerce.products.refresh(updated);
        await runScript(
          scripts,
          'sale-create',
          [keys.sale(liveId, saleId), keys.sales(liveId)],
          [...initialSaleHash(sale), 'auctionId', id],
        );
      } catch (err) {
        await scripts.run('key-del-if', [keys.auctionActive(liveId)], [id]);
        throw err;
      }
      const config: Record<string, string | number> = {
        id,
        liveId,
        productId: product.id,
        saleId,
        title: product.title,
        imageUrl: product.imageUrl ?? '',
        currency: product.currency,
        start: p.startPrice,
        reserve: p.reservePrice,
        incs: encodeIncrements(p.increments),
        mode: p.mode,
        softMs: p.softCloseSec * 1000,
        payMs: p.payWindowSec * 1000,
      };
      const draft = auctionView({
        ...Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)])),
        status: 'open',
        startsAt: '0',
        endsAt: '0',
        capAt: '0',
        bids: '0',
        offer: '0',
      });
      const [code, view] = await runScript<[number, string]>(
        scripts,
        'auction-open',
        [keys.auction(liveId, id), keys.auctions(liveId), keys.seq(liveId), keys.log(liveId)],
        [
          JSON.stringify(draft),
          p.durationSec * 1000,
          p.mode === 'soft' ? p.maxExtendSec * 1000 : 0,
          deps.roomLogMaxLen,
          ...Object.entries(config).flatMap(([k, v]) => [k, String(v)]),
        ],
      );
      checkScript('auction-open', code);
      const auction = JSON.parse(view) as Auction;
      await redis.zadd(keys.auctionsDue, auction.endsAt, dueMember(liveId, id));
      await commerce.products.pin(user, liveId, product.id).catch(() => undefined);
      return auction;
    },

    /**
     * One bid (a proxy bid when `max` is given). The previous leader, when displaced, gets `auction:outbid`.
     * @throws AUCTION_NOT_FOUND, AUCTION_ENDED, BID_TOO_LOW { minBid }, BANNED, AUCTION_NOT_ELIGIBLE,
     *   SERVICE_UNAVAILABLE
     */
    async bid(user: TokenClaims, p: AuctionBidPayload): Promise<AuctionBidResult> {
      const { liveId, auctionId } = p;
      const [code, payload] = await runScript<[number, string | number]>(
        scripts,
        'auction-bid',
        [
          keys.auction(liveId, auctionId),
          keys.auctionBidders(liveId, auctionId),
          keys.bans(liveId),
          keys.auctionDefaulters(liveId),
          keys.commerce(liveId),
          keys.seq(liveId),
          keys.log(liveId),
        ],
        [user.sub, user.name, p.amount, p.max ?? '', user.dev ?? '', deps.roomLogMaxLen, AUCTION_EVENT.bid],
      );
      checkScript('auction-bid', code, payload);
      const r = JSON.parse(String(payload)) as AuctionBidResult & { outbid?: string };
      if (r.outbid) {
        deps.notices.outbid(r.outbid, { liveId, auctionId, price: r.price, minBid: r.minBid });
      }
      return AuctionBidResult.parse(r);
    },

    /** The live's auctions (newest first, at most `limit`) for the room part of the snapshot. */
    async list(liveId: string, limit = 10): Promise<Auction[]> {
      const ids = await guardRedis(() => redis.zrevrange(keys.auctions(liveId), 0, limit - 1));
      if (ids.length === 0) return [];
      const pipe = redis.pipeline();
      for (const id of ids) pipe.hgetall(keys.auction(liveId, id));
      const res = (await guardRedis(() => pipe.exec())) ?? [];
      return res
        .map(([, h]) => auctionView(h as Record<string, string>))
        .filter((a): a is Auction => a !== undefined);
    },

    /** The caller's proxy ceilings in the given auctions. */
    async myMax(liveId: string, userId: string, auctions: Auction[]): Promise<AuctionsSnapshot['myMax']> {
      const out: AuctionsSnapshot['myMax'] = {};
      if (auctions.length === 0) return out;
      const pipe = redis.pipeline();
      for (const a of auctions) pipe.hget(keys.auctionBidders(liveId, a.id), userId);
      const res = (await guardRedis(() => pipe.exec())) ?? [];
      res.forEach(([, raw], i) => {
        if (typeof raw === 'string') out[auctions[i]!.id] = (JSON.parse(raw) as { m: number }).m;
      });
      return out;
    },
  };
}
export type AuctionsService = ReturnType<typeof createAuctionsService>;
