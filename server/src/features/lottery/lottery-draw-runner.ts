/**
 * The draw runner: the draw happens exactly once across nodes (Lua guard open → drawing, then the ledger's
 * primary key on the draw row), by the host, the creating node's timer or any node's ticker once the window
 * ended; a draw whose node died mid-way is finished by another after STALE_DRAW_MS. The draw itself is the
 * pure `draw()` of the contracts.
 */
import { AppError } from '@lc/contracts/errors';
import { LOTTERY_EVENT, type Lottery } from '@lc/contracts/lottery.schema';
import { draw } from '@lc/contracts/lottery-draw';
import { nodeDrawHash } from '@lc/contracts/node-draw-hash';
import type { Redis } from 'ioredis';
import type { LotteriesRepo } from '../../ledger/lotteries.repo';
import type { RoomLog } from '../../realtime/room-log';
import type { Keys } from '../../redis/keys';
import { checkScript } from '../../redis/script-results';
import type { Scripts } from '../../redis/scripts';
import type { CurrentLottery, LotteryBase, LotteryStore } from './lottery-store';

type Log = { warn(o: object, m?: string): void };

const DRAW_WAIT_MS = 10_000;
/** A draw still `drawing` after this long lost its node; any node's ticker finishes it. */
const STALE_DRAW_MS = 30_000;

export function createDrawRunner(deps: {
  redis: Redis;
  scripts: Scripts;
  keys: Keys;
  roomLog: RoomLog;
  repo: LotteriesRepo;
  store: LotteryStore;
  nodeId: string;
  staleDrawMs?: number;
  log?: Log;
  now?: () => number;
}) {
  const { redis, scripts, keys, repo } = deps;
  const { byId, view } = deps.store;
  const now = deps.now ?? Date.now;
  const timers = new Set<NodeJS.Timeout>();

  /**
   * Draws if due (or `force`); exactly one caller across nodes runs the draw, the others wait for its result.
   * Returns null when not due yet. @throws LOTTERY_NOT_FOUND
   */
  const drawIfDue = async (liveId: string, lotteryId: string, force: boolean): Promise<Lottery | null> => {
    const code = await scripts.run<number>(
      'lottery-freeze',
      [keys.lottery(liveId)],
      [lotteryId, now(), force ? 1 : 0, deps.nodeId],
    );
    if (checkScript('lottery-freeze', code) === -3) return null;
    if (code === -2) {
      // NOTE: another caller (maybe on another node) is drawing: answer its result once published.
      const until = Date.now() + DRAW_WAIT_MS;
      for (;;) {
        const cur = await byId(liveId, lotteryId);
        if (cur.status === 'drawn') return view(liveId, cur);
        if (Date.now() > until) throw new AppError('UNAVAILABLE', 'the draw is still running');
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    return runDraw(liveId, await byId(liveId, lotteryId));
  };

  /** The draw proper, by the one caller that froze the lottery (or took over a stale draw). */
  const runDraw = async (liveId: string, cur: CurrentLottery) => {
    const lotteryId = cur.base.id;
    // A drawer that died after writing the ledger row: publish what the ledger holds.
    const prior = await repo.audit(liveId, lotteryId);
    if (prior) {
      const { entrantsHash, winners, runnersUp, seed, drawnAt } = prior;
      return publish(liveId, cur.base, prior.entrants.length, {
        entrantsHash,
        winners,
        runnersUp,
        seed,
        drawnAt,
      });
    }
    const seed = (await redis.hget(keys.lottery(liveId), 'seed'))!;
    let entrants = await redis.smembers(keys.lotteryEntrants(liveId, lotteryId));
    if (cur.base.rules.presentAtDraw && entrants.length > 0) {
      const conns = await redis.hmget(keys.conns(liveId), ...entrants);
      entrants = entrants.filter((_, i) => Number(conns[i] ?? 0) > 0);
    }
    const r = draw({ seed, entrants, k: cur.base.winners, runnersUp: cur.base.runnersUp }, nodeDrawHash);
    const drawnAt = now();
    const recorded = await repo.recordDraw({
      lotteryId,
      entrants: r.entrants,
      entrantsHash: r.entrantsHash,
      winners: r.winners,
      runnersUp: r.runnersUp,
      drawnBy: deps.nodeId,
      drawnAt,
    });
    if (!recorded) throw new AppError('INTERNAL', 'the ledger already holds a draw of this lottery');
    const result = {
      entrantsHash: r.entrantsHash,
      winners: r.winners,
      runnersUp: r.runnersUp,
      seed,
      drawnAt,
    };
    return publish(liveId, cur.base, r.entrants.length, result);
  };

  const publish = async (
    liveId: string,
    base: LotteryBase,
    entrants: number,
    result: NonNullable<Lottery['result']>,
  ) => {
    await redis.hset(keys.lottery(liveId), 'status', 'drawn', 'result', JSON.stringify(result));
    const lottery: Lottery = { ...base, status: 'drawn', entrants, result };
    await deps.roomLog.append(liveId, LOTTERY_EVENT.drawn, { lottery });
    return lottery;
  };

  /** Finishes a draw left in `drawing` for longer than STALE_DRAW_MS (its node died); one taker wins. */
  const recoverStale = async (liveId: string, lotteryId: string) => {
    const code = await scripts.run<number>(
      'lottery-takeover',
      [keys.lottery(liveId)],
      [lotteryId, now(), deps.staleDrawMs ?? STALE_DRAW_MS, deps.nodeId],
    );
    if (code !== 1) return;
    deps.log?.warn({ liveId, lotteryId }, 'finishing a stale lottery draw');
    await runDraw(liveId, await byId(liveId, lotteryId));
  };

  const schedule = (liveId: string, lotteryId: string, at: number) => {
    const t = setTimeout(
      () => {
        timers.delete(t);
        drawIfDue(liveId, lotteryId, false).catch((err) =>
          deps.log?.warn({ err, liveId, lotteryId }, 'lottery draw failed'),
        );
      },
      Math.max(0, at - now()),
    );
    t.unref();
    timers.add(t);
  };

  return {
    drawIfDue,
    recoverStale,
    /** Draws at `at` on this node (the creating node's timer; any node's ticker is the fallback). */
    schedule,
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
export type DrawRunner = ReturnType<typeof createDrawRunner>;
