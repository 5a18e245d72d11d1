/**
 * End-of-live step `lottery-prizes`: awards each drawn lottery's winners in the ledger (one row per slot, so a
 * second run changes nothing) with a claim deadline, and forfeits expired unclaimed prizes to the next
 * runner-up. When prizes still await a claim, it asks `rerunAt` for another run at the earliest deadline (the
 * worker adds a delayed job whose id carries the deadline, so asking twice schedules once).
 */
import type { EndOfLiveStep } from '../../jobs/end-of-live';
import { createLotteryPrizesRepo } from '../../ledger/lottery-prizes.repo';

export const LOTTERY_CLAIM_MS = 48 * 3600 * 1000;

export function lotteryPrizesStep(
  opts: {
    claimMs?: number;
    now?: () => number;
    /** Schedules another run of this step for the live at `at` (epoch ms). */
    rerunAt?: (liveId: string, endedAt: string, at: number) => Promise<unknown>;
  } = {},
): EndOfLiveStep {
  const claimMs = opts.claimMs ?? LOTTERY_CLAIM_MS;
  const now = opts.now ?? Date.now;
  return {
    name: 'lottery-prizes',
    async run({ liveId, endedAt, db }) {
      const repo = createLotteryPrizesRepo(db);
      const deadline = new Date(endedAt).getTime() + claimMs;
      let awarded = 0;
      let reassigned = 0;
      for (const lotteryId of await repo.drawnOfLive(liveId)) {
        awarded += await repo.awardWinners(lotteryId, deadline, now());
        reassigned += (await repo.forfeitExpired(lotteryId, now(), claimMs)).length;
      }
      const next = await repo.nextDeadline(liveId);
      if (next !== null && opts.rerunAt) await opts.rerunAt(liveId, endedAt, next);
      return { awarded, reassigned, nextDeadline: next };
    },
  };
}
