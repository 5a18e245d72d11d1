/**
 * The live's current lottery as Redis holds it (one open, drawing or drawn lottery per live: its config,
 * status and result in one hash, entrants in a set), read by the draw runner and the public service alike.
 */
import { AppError } from '@lc/contracts/errors';
import type { Lottery } from '@lc/contracts/lottery.schema';
import type { Redis } from 'ioredis';
import type { Keys } from '../../redis/keys';

export type LotteryBase = Omit<Lottery, 'status' | 'entrants' | 'result'>;
export interface CurrentLottery {
  base: LotteryBase;
  status: Lottery['status'];
  result: Lottery['result'];
}

export function createLotteryStore(deps: { redis: Redis; keys: Keys }) {
  const { redis, keys } = deps;
  const current = async (liveId: string): Promise<CurrentLottery | null> => {
    const [id, json, status, result] = await redis.hmget(
      keys.lottery(liveId),
      'id',
      'json',
      'status',
      'result',
    );
    if (!id || !json) return null;
    return {
      base: JSON.parse(json) as LotteryBase,
      status: status as Lottery['status'],
      result: result ? (JSON.parse(result) as NonNullable<Lottery['result']>) : null,
    };
  };

  const view = async (liveId: string, cur: CurrentLottery): Promise<Lottery> => ({
    ...cur.base,
    status: cur.status,
    entrants: await redis.scard(keys.lotteryEntrants(liveId, cur.base.id)),
    result: cur.result,
  });

  const byId = async (liveId: string, lotteryId: string) => {
    const cur = await current(liveId);
    if (cur?.base.id !== lotteryId) throw new AppError('LOTTERY_NOT_FOUND', 'no such lottery in this live');
    return cur;
  };

  return {
    /** The live's lottery, or null when none was ever opened (or its keys were released). */
    current,
    /** The lottery as the contract shows it, with its entrant count. */
    view,
    /** The current lottery when it has this id. @throws LOTTERY_NOT_FOUND */
    byId,
  };
}
export type LotteryStore = ReturnType<typeof createLotteryStore>;
