/**
 * Stock broadcasts at a bounded rate: a reservation, payment or expiry only marks its sale as touched; a
 * ticker asks Redis (sale-announce-1.lua) whether the counters changed and the interval passed, so the room
 * gets at most one `sale:stock` event per sale per interval however many nodes and buyers there are.
 */
import { COMMERCE_EVENT } from '@lc/contracts/commerce.schema';
import type { RoomLog } from '../../../realtime/room-log';
import type { Keys } from '../../../redis/keys';
import type { Scripts } from '../../../redis/scripts';

export interface StockAnnouncer {
  touch(liveId: string, saleId: string): void;
  /** Announces every touched sale that is due; returns how many events were appended. */
  flush(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

export function createStockAnnouncer(deps: {
  scripts: Scripts;
  keys: Keys;
  roomLog: RoomLog;
  intervalMs: number;
  now?: () => number;
  onError?: (err: unknown) => void;
}): StockAnnouncer {
  const now = deps.now ?? Date.now;
  /** `<liveId>/<saleId>` → last touch (ms). */
  const touched = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  const announce = async (member: string): Promise<number> => {
    const [liveId, saleId] = member.split('/') as [string, string];
    const res = await deps.scripts.run<number[]>(
      'sale-announce',
      [deps.keys.sale(liveId, saleId)],
      [now(), deps.intervalMs],
    );
    if (res[0] === -1) return 0;
    if (res[0] === 0) {
      // Quiet for a while: stop asking until the next touch.
      if (now() - (touched.get(member) ?? 0) > deps.intervalMs * 4) touched.delete(member);
      return 0;
    }
    const [, initial, remaining, reserved, sold, version] = res as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    await deps.roomLog.append(liveId, COMMERCE_EVENT.saleStock, {
      saleId,
      initial,
      remaining,
      reserved,
      sold,
      version,
      soldOut: remaining === 0,
    });
    return 1;
  };

  const flush = (): Promise<number> => {
    running ??= (async () => {
      let n = 0;
      for (const member of [...touched.keys()]) {
        try {
          n += await announce(member);
        } catch (err) {
          deps.onError?.(err);
        }
      }
      return n;
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    touch(liveId, saleId) {
      touched.set(`${liveId}/${saleId}`, now());
    },
    flush,
    start() {
      timer ??= setInterval(() => void flush(), deps.intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
