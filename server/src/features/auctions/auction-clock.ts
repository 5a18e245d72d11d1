/**
 * The auction clock: every API node visits the global due set every AUCTION_TICK_MS and moves each due
 * auction along with auction-settle-13.lua — the hammer at its end, then paid → sold, or a lapsed hold →
 * the next runner-up. The script decides each step once on the Redis server clock, so any number of nodes
 * may tick; the node whose call awarded the item tells the holder (`auction:won`). A lapsed hold is released
 * first by commerce's own sweep of the auction's sale (sale-expire-6.lua), so stock returns exactly once.
 */
import { randomUUID } from 'node:crypto';
import type { AuctionWon } from '@lc/contracts/auction.schema';
import type { Redis } from 'ioredis';
import { serialTicker } from '../../jobs/serial-ticker';
import type { Keys } from '../../redis/keys';
import type { Scripts } from '../../redis/scripts';
import type { ReservationSweeper } from '../commerce/sales/reservation-sweeper';
import { parseDueMember, settleKeys } from './auction-state';

export function createAuctionClock(deps: {
  redis: Redis;
  scripts: Scripts;
  keys: Keys;
  sweeper: Pick<ReservationSweeper, 'sweepSale'>;
  roomLogMaxLen: number;
  won(userId: string, p: AuctionWon): void;
  onError(err: unknown): void;
  now?: () => number;
}) {
  const { redis, scripts, keys } = deps;
  const now = deps.now ?? Date.now;

  /** One step of one auction; returns when to look again, or undefined when it is final. */
  const step = async (liveId: string, auctionId: string): Promise<number | undefined> => {
    const [saleId, productId, status0] = await redis.hmget(
      keys.auction(liveId, auctionId),
      'saleId',
      'productId',
      'status',
    );
    if (!saleId || !productId) return undefined;
    const settle = () =>
      scripts.run<[number, string | number]>(
        'auction-settle',
        settleKeys(keys, liveId, auctionId, saleId, productId),
        [randomUUID(), deps.roomLogMaxLen],
      );
    let [code, payload] = await settle();
    if (code === 0 && Number(payload) <= now()) {
      // An awarded hold past its deadline: release it through commerce (once), then pass the item on.
      const status = await redis.hget(keys.auction(liveId, auctionId), 'status');
      if (status === 'awarded') {
        await deps.sweeper.sweepSale(liveId, saleId, 'due');
        [code, payload] = await settle();
      }
    }
    // NOTE: a held item is looked at every second too, so `auction:sold` follows a payment promptly.
    if (code === 0) return status0 === 'open' ? Number(payload) : Math.min(Number(payload), now() + 1000);
    if (code === 1) {
      const w = JSON.parse(String(payload)) as Omit<AuctionWon, 'liveId' | 'auctionId'> & { userId: string };
      const { userId, ...rest } = w;
      deps.won(userId, { liveId, auctionId, ...rest });
      return Math.min(w.payBy, now() + 1000);
    }
    return undefined;
  };

  const tick = async () => {
    const due = await redis.zrangebyscore(keys.auctionsDue, '-inf', now(), 'LIMIT', 0, 200);
    for (const m of due) {
      const ref = parseDueMember(m);
      if (!ref) {
        await redis.zrem(keys.auctionsDue, m);
        continue;
      }
      try {
        const next = await step(ref.liveId, ref.auctionId);
        if (next === undefined) await redis.zrem(keys.auctionsDue, m);
        else await redis.zadd(keys.auctionsDue, 'XX', next, m);
      } catch (err) {
        deps.onError(err);
      }
    }
  };

  return {
    step,
    tick,
    ...serialTicker(tick, deps.onError),
  };
}
export type AuctionClock = ReturnType<typeof createAuctionClock>;
