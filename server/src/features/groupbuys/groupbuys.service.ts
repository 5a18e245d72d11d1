/**
 * Group buys (拼团): the host offers a product at a group price (a commerce sale whose window never opens to
 * flash-sale reserves holds the offer's units); a viewer starts a group or joins one through
 * groupbuy-join-14.lua, which takes the seat and holds one unit for the member as a commerce reservation in
 * one step. Members pay through commerce's payment flow. A full group's orders stand (recorded here in one
 * step); the group-buy clock (group-clock.ts, on the worker) expires unfilled groups and refunds them.
 */
import { randomUUID } from 'node:crypto';
import type { TokenClaims } from '@lc/contracts/auth.schema';
import { AppError } from '@lc/contracts/errors';
import {
  GROUPBUY_EVENT,
  type GroupBuyGroup,
  type GroupBuyGroupRef,
  type GroupBuyJoinPayload,
  GroupBuyJoinResult,
  type GroupBuyLink,
  type GroupBuyOffer,
  type GroupBuyOfferPayload,
  type GroupBuysSnapshot,
} from '@lc/contracts/groupbuy.schema';
import type { Redis } from 'ioredis';
import type { GroupBuysRepo } from '../../ledger/group-buys.repo';
import type { SalesRepo } from '../../ledger/sales.repo';
import type { RoomLog } from '../../realtime/room-log';
import type { Keys } from '../../redis/keys';
import { guardRedis, runScript } from '../../redis/outage';
import { checkScript } from '../../redis/script-results';
import type { Scripts } from '../../redis/scripts';
import type { CommerceServices } from '../commerce/commerce.services';
import { initialSaleHash } from '../commerce/sales/sale-state';
import { recordDecision } from './group-decision';
import type { GroupLinks } from './group-links';
import { dueMember, groupView, joinKeys, type MemberRecord, offerView } from './group-state';

export function createGroupBuysService(deps: {
  redis: Redis;
  keys: Keys;
  scripts: Scripts;
  roomLog: RoomLog;
  commerce: Pick<CommerceServices, 'gate' | 'products'>;
  salesRepo: SalesRepo;
  repo: GroupBuysRepo;
  links: GroupLinks;
  roomLogMaxLen: number;
  onError(err: unknown): void;
}) {
  const { redis, keys, scripts, commerce } = deps;

  /** @throws GROUPBUY_NOT_FOUND */
  const offer = async (liveId: string, offerId: string): Promise<GroupBuyOffer> => {
    const o = offerView(await guardRedis(() => redis.hgetall(keys.groupBuy(liveId, offerId))));
    if (!o || o.liveId !== liveId)
      throw new AppError('GROUPBUY_NOT_FOUND', 'no such group-buy offer in this live');
    return o;
  };
  const group = async (liveId: string, groupId: string): Promise<GroupBuyGroup | undefined> =>
    groupView(await guardRedis(() => redis.hgetall(keys.group(liveId, groupId))));

  return {
    offer,
    group,
    /**
     * Offers a product to groups: `units` are drawn from its stock into a sale that only group seats reserve.
     * @throws FORBIDDEN, LIVE_ENDED, PRODUCT_NOT_FOUND, INSUFFICIENT_STOCK
     */
    async create(user: TokenClaims, p: GroupBuyOfferPayload): Promise<GroupBuyOffer> {
      const { liveId } = p;
      await commerce.gate.requireHost(user, liveId, { open: true });
      const product = await commerce.products.get(liveId, p.productId);
      const id = randomUUID();
      const saleId = randomUUID();
      const at = Date.now();
      const sale = {
        id: saleId,
        liveId,
        productId: product.id,
        title: product.title,
        imageUrl: product.imageUrl,
        listPrice: product.price,
        dealPrice: p.groupPrice,
        currency: product.currency,
        units: p.units,
        perUserLimit: 1,
        productPerUserLimit: 0,
        // NOTE: a window already over (as an auction's sale): flash-sale reserves get SALE_ENDED; only a group
        // seat (groupbuy-join-14.lua) holds a unit.
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
        [...initialSaleHash(sale), 'groupBuyId', id],
      );
      const closesAt = at + p.openSec * 1000;
      const fields = {
        id,
        liveId,
        productId: product.id,
        saleId,
        title: product.title,
        currency: product.currency,
        listPrice: product.price,
        price: p.groupPrice,
        size: p.groupSize,
        limitMs: p.limitSec * 1000,
        closesAt,
        payMs: p.payWindowSec * 1000,
      };
      await deps.repo.insertOffer({
        id,
        liveId,
        saleId,
        productId: product.id,
        groupPrice: p.groupPrice,
        groupSize: p.groupSize,
        units: p.units,
        limitMs: fields.limitMs,
        closesAt,
      });
      await guardRedis(() =>
        redis.multi().hset(keys.groupBuy(liveId, id), fields).zadd(keys.groupBuys(liveId), at, id).exec(),
      );
      const view = offerView(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)])))!;
      await deps.roomLog.append(liveId, GROUPBUY_EVENT.offered, { offer: view });
      return view;
    },

    /**
     * Starts a group (no `groupId`: the caller leads it) or joins one; a valid `ref` attributes the join.
     * @throws GROUPBUY_NOT_FOUND, GROUPBUY_CLOSED, GROUP_NOT_FOUND, GROUP_EXPIRED, GROUP_FULL, SOLD_OUT,
     *   ALREADY_IN_GROUP { groupId }, BANNED, SERVICE_UNAVAILABLE
     */
    async join(user: TokenClaims, p: GroupBuyJoinPayload): Promise<GroupBuyJoinResult> {
      const { liveId } = p;
      const o = await offer(liveId, p.offerId);
      const groupId = p.groupId ?? randomUUID();
      const sharer = p.groupId ? deps.links.sharer(liveId, p.groupId, p.ref) : undefined;
      const ended = (await commerce.gate.status(liveId)) === 'ended';
      const [code, payload] = await runScript<[number, string]>(
        scripts,
        'groupbuy-join',
        joinKeys(keys, liveId, o.id, groupId, o.saleId, o.productId),
        [
          user.sub,
          user.name,
          p.groupId ? 'join' : 'start',
          groupId,
          randomUUID(),
          sharer && sharer !== user.sub ? sharer : '',
          deps.roomLogMaxLen,
          user.dev ? `u:${user.sub} d:${user.dev}` : `u:${user.sub}`,
          ended ? 1 : 0,
        ],
      );
      checkScript('groupbuy-join', code, payload);
      const result = GroupBuyJoinResult.parse(JSON.parse(payload));
      if (!p.groupId) {
        await guardRedis(() =>
          redis.zadd(keys.groupsDue, result.group.expiresAt, dueMember(liveId, groupId)),
        );
      }
      if (code === 2) {
        // The group filled: its orders stand. Recorded now; the clock records it again if this node fails here.
        await recordDecision({ redis, keys, repo: deps.repo }, liveId, result.group).catch(deps.onError);
      }
      return result;
    },

    /** A member's signed share link for their group. @throws GROUP_NOT_FOUND (also for a non-member) */
    async link(user: TokenClaims, p: GroupBuyGroupRef): Promise<GroupBuyLink> {
      const member = await guardRedis(() => redis.hexists(keys.groupMembers(p.liveId, p.groupId), user.sub));
      if (!member) throw new AppError('GROUP_NOT_FOUND', 'no group of yours with that id');
      return deps.links.link(p.liveId, p.groupId, user.sub);
    },

    /** The live's offers and their open groups (room part of the snapshot). */
    async room(liveId: string): Promise<Omit<GroupBuysSnapshot, 'mine'>> {
      const ids = await guardRedis(() => redis.zrange(keys.groupBuys(liveId), 0, 19));
      const offers: GroupBuyOffer[] = [];
      const groups: GroupBuyGroup[] = [];
      for (const id of ids) {
        const o = offerView(await redis.hgetall(keys.groupBuy(liveId, id)));
        if (!o) continue;
        offers.push(o);
        const open = await redis.zrange(keys.groupBuyOpen(liveId, id), 0, 49);
        for (const gid of open) {
          const g = await group(liveId, gid);
          if (g) groups.push(g);
        }
      }
      return { offers, groups };
    },

    /** The caller's group per offer. */
    async mine(liveId: string, userId: string, offers: GroupBuyOffer[]): Promise<Record<string, string>> {
      const out: Record<string, string> = {};
      for (const o of offers) {
        const gid = await redis.hget(keys.groupBuyUsers(liveId, o.id), userId);
        if (gid) out[o.id] = gid;
      }
      return out;
    },

    /** A group's members as Redis holds them (tests, operations). */
    async members(liveId: string, groupId: string): Promise<Record<string, MemberRecord>> {
      const all = await redis.hgetall(keys.groupMembers(liveId, groupId));
      return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, JSON.parse(v) as MemberRecord]));
    },
  };
}
export type GroupBuysService = ReturnType<typeof createGroupBuysService>;
