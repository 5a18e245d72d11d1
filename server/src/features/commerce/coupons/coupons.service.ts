/**
 * Coupons: the host issues them (ledger + Redis definition), viewers claim them while the live is on
 * (coupon-claim-4.lua: exact quota and per-user limit), payment applies one (reservation-pay-5.lua sets the
 * claim aside, the order records the redemption). A coupon tied to a like goal stays locked until the
 * interaction feature records that goal as reached.
 */
import { randomUUID } from 'node:crypto';
import type { TokenClaims } from '@lc/contracts/auth.schema';
import {
  COMMERCE_EVENT,
  type Coupon,
  type CouponClaim,
  type CreateCouponBody,
} from '@lc/contracts/commerce.schema';
import { AppError } from '@lc/contracts/errors';
import { FAN_LEVELS, type FanLevel } from '@lc/contracts/growth.schema';
import type { Redis } from 'ioredis';
import type { CouponDef, CouponsRepo } from '../../../ledger/coupons.repo';
import type { Db, Queryable } from '../../../ledger/db';
import type { RoomLog } from '../../../realtime/room-log';
import type { Keys } from '../../../redis/keys';
import { guardRedis, runScript } from '../../../redis/outage';
import { checkScript, scriptError } from '../../../redis/script-results';
import type { Scripts } from '../../../redis/scripts';
import type { LiveGate } from '../live-gate';

export function createCouponsService(deps: {
  repo: CouponsRepo;
  db: Db;
  redis: Redis;
  keys: Keys;
  scripts: Scripts;
  roomLog: RoomLog;
  gate: LiveGate;
}) {
  const { redis, keys, roomLog, gate } = deps;

  const defs = async (liveId: string): Promise<CouponDef[]> => {
    const all = await guardRedis(() => redis.hgetall(keys.coupons(liveId)));
    return Object.values(all).map((raw) => fromRedis(liveId, JSON.parse(raw)));
  };

  /** @throws COUPON_NOT_FOUND */
  const def = async (liveId: string, couponId: string): Promise<CouponDef> => {
    const raw = await guardRedis(() => redis.hget(keys.coupons(liveId), couponId));
    if (!raw) throw scriptError('coupon-claim', -14);
    return fromRedis(liveId, JSON.parse(raw));
  };

  const views = async (liveId: string, list: CouponDef[], userId?: string): Promise<Coupon[]> => {
    if (list.length === 0) return [];
    const pipe = redis.pipeline();
    for (const c of list) {
      pipe.hmget(keys.couponClaims(liveId), c.id, `${c.id}:${userId ?? ''}`);
      pipe.hmget(
        keys.couponUses(liveId),
        ...Array.from({ length: c.perUserLimit }, (_, i) => `${c.id}:${userId ?? ''}:${i + 1}`),
      );
      pipe.hexists(keys.likeGoalsReached(liveId), c.likeGoalId ?? '');
    }
    const res = (await guardRedis(() => pipe.exec())) ?? [];
    return list.map((c, i) => {
      const [claimed, mine] = (res[3 * i]?.[1] ?? []) as Array<string | null>;
      const uses = (res[3 * i + 1]?.[1] ?? []) as Array<string | null>;
      const reached = res[3 * i + 2]?.[1] === 1;
      return {
        ...c,
        claimed: Number(claimed ?? 0),
        locked: c.likeGoalId !== null && !reached,
        mine: { claimed: userId ? Number(mine ?? 0) : 0, used: userId ? uses.filter(Boolean).length : 0 },
      };
    });
  };

  return {
    def,
    /**
     * Issues a coupon for the live.
     * @throws FORBIDDEN, LIVE_NOT_FOUND, LIVE_ENDED
     */
    async create(user: TokenClaims, liveId: string, body: CreateCouponBody): Promise<Coupon> {
      await gate.requireHost(user, liveId, { open: true });
      const c = await deps.repo.insert(randomUUID(), liveId, body);
      await redis.hset(keys.coupons(liveId), c.id, JSON.stringify(toRedis(c)));
      const [view] = await views(liveId, [c]);
      await roomLog.append(liveId, COMMERCE_EVENT.couponCreated, { coupon: { ...view, mine: undefined } });
      return view!;
    },
    /** Every coupon of the live with its claimed count; `mine` for the caller. */
    async list(liveId: string, userId?: string): Promise<Coupon[]> {
      const list = (await defs(liveId)).sort(
        (a, b) => a.title.localeCompare(b.title) || a.id.localeCompare(b.id),
      );
      return views(liveId, list, userId);
    },
    /**
     * Claims one coupon while the live is on; recorded in the ledger.
     * @throws LIVE_NOT_LIVE, LIVE_ENDED, COUPON_NOT_FOUND, COUPON_LOCKED, COUPON_EXHAUSTED, COUPON_LIMIT,
     *   FAN_LEVEL_REQUIRED (a level-gated coupon; details `{required, level}`)
     */
    async claim(user: TokenClaims, liveId: string, couponId: string): Promise<CouponClaim> {
      const status = await gate.liveStatus(liveId);
      if (status === 'ended') throw new AppError('LIVE_ENDED', 'the live has ended');
      if (status !== 'live')
        throw new AppError('LIVE_NOT_LIVE', 'coupons can be claimed while the live is on');
      const c = await def(liveId, couponId);
      if (c.minLevel) {
        // NOTE: the growth feature's Redis mirror of the merchant's levels (above normal), as chat reads it.
        const mirror = keys.fanLevels(await gate.hostOf(liveId));
        const level = ((await guardRedis(() => redis.hget(mirror, user.sub))) ?? 'normal') as FanLevel;
        if (FAN_LEVELS.indexOf(level) < FAN_LEVELS.indexOf(c.minLevel))
          throw new AppError('FAN_LEVEL_REQUIRED', `this coupon is for ${c.minLevel} fans and up`, {
            required: c.minLevel,
            level,
          });
      }
      const res = await runScript<number[]>(
        deps.scripts,
        'coupon-claim',
        [
          keys.coupons(liveId),
          keys.couponClaims(liveId),
          keys.likeGoalsReached(liveId),
          keys.commerce(liveId),
        ],
        [couponId, user.sub],
      );
      checkScript('coupon-claim', res[0]!);
      const [claimNo, claimed] = res as [number, number];
      // NOTE: Redis decided; the ledger records. A failed write here is repaired when the claim is redeemed
      // (the order transaction inserts the claim row first) and by settlement.
      await deps.repo.recordClaim(deps.db, couponId, user.sub, claimNo);
      return { couponId, claimNo, claimed, quota: c.quota };
    },
    /**
     * Lottery prizes: records one claim of the live's coupon for a winner outside the claim rules (live on,
     * quota, per-user limit, like goal: the draw decided). Prizes are issued after the live ended, when the
     * Redis coupon state may already be released, so the ledger alone records it: the next claim number of the
     * user, written with `q` so the caller's transaction (which makes the grant happen once) holds it.
     * @throws COUPON_NOT_FOUND
     */
    async grantPrize(
      q: Queryable,
      liveId: string,
      couponId: string,
      userId: string,
    ): Promise<{ claimNo: number }> {
      const claimNo = await deps.repo.nextClaimNo(q, liveId, couponId, userId);
      if (claimNo === null) throw scriptError('coupon-claim', -14);
      await deps.repo.recordClaim(q, couponId, userId, claimNo);
      return { claimNo };
    },
    /**
     * Extension point for like goals: call when a goal of the live is reached (the interaction feature's
     * hook). Coupons waiting for it become claimable — the claim script reads the reached-goals hash itself,
     * so this only tells the room. Returns the coupons unlocked.
     */
    async onLikeGoalReached(liveId: string, goalId: string): Promise<string[]> {
      const unlocked = (await defs(liveId)).filter((c) => c.likeGoalId === goalId).map((c) => c.id);
      for (const couponId of unlocked) {
        await roomLog.append(liveId, COMMERCE_EVENT.couponUnlocked, { couponId, likeGoalId: goalId });
      }
      return unlocked;
    },
  };
}
export type CouponsService = ReturnType<typeof createCouponsService>;

/** Redis copy of a definition: null fields left out (cjson would turn them into a truthy userdata). */
function toRedis(c: CouponDef): Record<string, unknown> {
  return Object.fromEntries(Object.entries(c).filter(([k, v]) => v !== null && k !== 'liveId'));
}

function fromRedis(liveId: string, o: Partial<CouponDef>): CouponDef {
  return {
    id: o.id!,
    liveId,
    kind: o.kind!,
    title: o.title!,
    currency: o.currency!,
    amountOff: o.amountOff ?? null,
    minSpend: o.minSpend ?? null,
    percentOff: o.percentOff ?? null,
    maxDiscount: o.maxDiscount ?? null,
    quota: o.quota!,
    perUserLimit: o.perUserLimit!,
    likeGoalId: o.likeGoalId ?? null,
    minLevel: o.minLevel ?? null,
  };
}
