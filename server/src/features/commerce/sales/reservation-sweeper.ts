/**
 * Releases expired holds back to stock. The worker runs it every RESERVATION_SWEEP_MS over the registry of
 * active sales; each release is one atomic script step (sale-expire-6.lua), so any number of sweepers on any
 * number of processes return every unit exactly once.
 */
import type { Redis } from 'ioredis';
import type { Keys } from '../../../redis/keys';
import type { Scripts } from '../../../redis/scripts';
import { expireKeys, parseActiveMember } from './sale-state';
import type { StockAnnouncer } from './stock-announcer';

export interface SweepResult {
  released: number;
  units: number;
  /** Holds in payment whose deadline has not passed (mode `unpaid`). */
  paying: number;
  /** Unpaid holds still listed for the sale. */
  left: number;
}

export function createReservationSweeper(deps: {
  redis: Redis;
  scripts: Scripts;
  keys: Keys;
  announcer?: StockAnnouncer;
  now?: () => number;
  batch?: number;
  onError?: (err: unknown) => void;
}) {
  const { redis, scripts, keys } = deps;
  const now = deps.now ?? Date.now;
  const batch = deps.batch ?? 500;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  /** One pass over one sale; `unpaid` (end of live) releases every hold not in payment. */
  const sweepSale = async (
    liveId: string,
    saleId: string,
    mode: 'due' | 'unpaid' = 'due',
    at = now(),
  ): Promise<SweepResult> => {
    const productId = await redis.hget(keys.sale(liveId, saleId), 'productId');
    if (!productId) return { released: 0, units: 0, paying: 0, left: 0 };
    const total: SweepResult = { released: 0, units: 0, paying: 0, left: 0 };
    for (;;) {
      const [released, units, paying, left] = await scripts.run<number[]>(
        'sale-expire',
        expireKeys(keys, liveId, saleId, productId),
        [at, batch, mode],
      );
      total.released += released!;
      total.units += units!;
      total.paying = paying!;
      total.left = left!;
      if (released! < batch) break;
    }
    if (total.released > 0) deps.announcer?.touch(liveId, saleId);
    return total;
  };

  /** Visits every active sale once; drops sales that are over with nothing left to release. */
  const sweepAll = async (at = now()): Promise<number> => {
    let released = 0;
    let cursor = 0;
    for (;;) {
      const members = await redis.zrange(keys.activeSales, cursor, cursor + 999);
      for (const m of members) {
        const ref = parseActiveMember(m);
        if (!ref) continue;
        try {
          const r = await sweepSale(ref.liveId, ref.saleId, 'due', at);
          released += r.released;
          const closesAt = Number(await redis.hget(keys.sale(ref.liveId, ref.saleId), 'closesAt'));
          if (r.left === 0 && (!closesAt || closesAt <= at)) await redis.zrem(keys.activeSales, m);
        } catch (err) {
          deps.onError?.(err);
        }
      }
      if (members.length < 1000) break;
      cursor += 1000;
    }
    return released;
  };

  return {
    sweepSale,
    sweepAll,
    start(intervalMs: number) {
      timer ??= setInterval(() => {
        running ??= sweepAll()
          .catch((err) => deps.onError?.(err))
          .finally(() => {
            running = undefined;
          });
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
export type ReservationSweeper = ReturnType<typeof createReservationSweeper>;
