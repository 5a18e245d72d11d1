/**
 * The group-buy clock (on the worker): every GROUPBUY_TICK_MS it visits the global due set and moves each due
 * group along with groupbuy-expire-14.lua on the Redis server clock. An unfilled group past its time limit is
 * expired once (holds back to stock, paid members marked refund `pending`); each pending refund is recorded
 * in the ledger once (its primary key), given back by the provider (idempotent by payment id) and then marked
 * done in Redis — a crash anywhere in between leaves it `pending`, and the next visit finishes it without
 * refunding twice. A filled group is visited again at its pay deadline to release unpaid holds.
 */
import type { Redis } from 'ioredis';
import { serialTicker } from '../../jobs/serial-ticker';
import type { GroupBuysRepo } from '../../ledger/group-buys.repo';
import type { Keys } from '../../redis/keys';
import type { Scripts } from '../../redis/scripts';
import type { PaymentProvider } from '../commerce/payments/payment-provider';
import type { ReservationSweeper } from '../commerce/sales/reservation-sweeper';
import { recordDecision } from './group-decision';
import { expireKeys, groupView, parseDueMember } from './group-state';

interface PendingRefund {
  userId: string;
  reservationId: string;
  paymentId: string;
  amount: number;
  currency: string;
}

export function createGroupClock(deps: {
  redis: Redis;
  scripts: Scripts;
  keys: Keys;
  repo: GroupBuysRepo;
  provider: Pick<PaymentProvider, 'refund'>;
  sweeper: Pick<ReservationSweeper, 'sweepSale'>;
  roomLogMaxLen: number;
  onError(err: unknown): void;
  now?: () => number;
}) {
  const { redis, scripts, keys } = deps;
  const now = deps.now ?? Date.now;

  /** Refunds still pending after this pass (0: all done). */
  const refund = async (liveId: string, groupId: string, list: PendingRefund[]): Promise<number> => {
    let left = 0;
    for (const r of list) {
      const rec = await deps.repo.recordRefund({ groupId, ...r });
      if (rec === 'wait') {
        left++;
        continue;
      }
      // NOTE: asked again after a crash between the ledger row and this call: the provider refunds once.
      await deps.provider.refund({
        paymentId: r.paymentId,
        providerRef: `group:${groupId}`,
        amount: r.amount,
        currency: r.currency,
      });
      await scripts.run(
        'groupbuy-refunded',
        [keys.groupMembers(liveId, groupId), keys.reservations(liveId)],
        [r.userId, now()],
      );
    }
    return left;
  };

  /** One step of one group; returns when to look again, or undefined when it is final. */
  const step = async (liveId: string, groupId: string): Promise<number | undefined> => {
    const g = groupView(await redis.hgetall(keys.group(liveId, groupId)));
    if (!g) return undefined;
    const [saleId, productId] = await redis.hmget(keys.groupBuy(liveId, g.offerId), 'saleId', 'productId');
    if (!saleId || !productId) return undefined;
    const [code, payload] = await scripts.run<[number, string | number]>(
      'groupbuy-expire',
      expireKeys(keys, liveId, g.offerId, groupId, saleId, productId),
      [deps.roomLogMaxLen],
    );
    if (code === 0) return Number(payload);
    if (code === 3) {
      await recordDecision({ redis, keys, repo: deps.repo }, liveId, { ...g, status: 'filled' });
      if (Number(payload) > now()) return Number(payload);
      await deps.sweeper.sweepSale(liveId, saleId, 'due');
      return undefined;
    }
    if (code === 1 || code === 2) {
      await recordDecision({ redis, keys, repo: deps.repo }, liveId, { ...g, status: 'expired' });
      const left = await refund(liveId, groupId, JSON.parse(String(payload)) as PendingRefund[]);
      return left > 0 ? now() + 1000 : undefined;
    }
    return undefined;
  };

  const tick = async () => {
    const due = await redis.zrangebyscore(keys.groupsDue, '-inf', now(), 'LIMIT', 0, 200);
    for (const m of due) {
      const ref = parseDueMember(m);
      try {
        const next = ref ? await step(ref.liveId, ref.groupId) : undefined;
        if (next === undefined) await redis.zrem(keys.groupsDue, m);
        else await redis.zadd(keys.groupsDue, 'XX', next, m);
      } catch (err) {
        deps.onError(err);
      }
    }
  };

  /** End of live: every open group of the live expires now (the live's `ended` flag), refunds included. */
  const settleLive = async (liveId: string): Promise<{ expired: number; pending: number }> => {
    let expired = 0;
    let pending = 0;
    for (const offerId of await redis.zrange(keys.groupBuys(liveId), 0, -1)) {
      for (const gid of await redis.zrange(keys.groupBuyOpen(liveId, offerId), 0, -1)) {
        const next = await step(liveId, gid);
        if (next === undefined) expired++;
        else pending++;
      }
    }
    return { expired, pending };
  };

  /** True once no group of the live is open or owes a refund (its keys may then be released). */
  const liveDone = async (liveId: string): Promise<boolean> => {
    for (const offerId of await redis.zrange(keys.groupBuys(liveId), 0, -1)) {
      if ((await redis.zcard(keys.groupBuyOpen(liveId, offerId))) > 0) return false;
    }
    let cursor = '0';
    do {
      const [next, found] = await redis.zscan(keys.groupsDue, cursor, 'MATCH', `${liveId}/*`, 'COUNT', 500);
      cursor = next;
      for (let i = 0; i < found.length; i += 2) {
        const ref = parseDueMember(found[i]!);
        if (!ref) continue;
        const members = await redis.hvals(keys.groupMembers(liveId, ref.groupId));
        if (members.some((m) => (JSON.parse(m) as { refund?: string }).refund === 'pending')) return false;
      }
    } while (cursor !== '0');
    return true;
  };

  return {
    step,
    tick,
    settleLive,
    liveDone,
    ...serialTicker(tick, deps.onError),
  };
}
export type GroupClock = ReturnType<typeof createGroupClock>;
