/**
 * End-of-live step `lottery-prizes`: awards each drawn lottery's winners in the ledger (one row per slot, so a
 * second run changes nothing) with a claim deadline, and forfeits expired unclaimed prizes to the next
 * runner-up. NOTE: the forfeit pass runs when this step runs; a delayed re-run at the deadline is not scheduled yet.
 */
import type { EndOfLiveStep } from '../../jobs/end-of-live';
import { createLotteryPrizesRepo } from '../../ledger/lottery-prizes.repo';

export const LOTTERY_CLAIM_MS = 48 * 3600 * 1000;

export function lotteryPrizesStep(opts: { claimMs?: number; now?: () => number } = {}): EndOfLiveStep {
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
      return { awarded, reassigned };
    },
  };
}
