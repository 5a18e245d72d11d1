/**
 * End-of-live step `lottery-prizes`: offers each drawn lottery's winner slots in the ledger (one row per slot,
 * so a second run changes nothing) with a claim deadline, and forfeits expired unclaimed offers to the next
 * runner-up. Each new offer is told to its user (`notify`, e.g. `lottery:won` to their sockets). Nothing is
 * issued here: the claim issues the coupon or prize order (lottery-claims.ts). When offers still await a
 * claim, it asks `rerunAt` for another run at the earliest deadline (the worker adds a delayed job whose id
 * carries the deadline, so asking twice schedules once).
 */
import type { EndOfLiveStep } from '../../jobs/end-of-live';
import { createLotteryPrizesRepo, type PrizeRow } from '../../ledger/lottery-prizes.repo';

export function lotteryPrizesStep(opts: {
  /** The claim window (config LOTTERY_CLAIM_HOURS). */
  claimMs: number;
  now?: () => number;
  /** Schedules another run of this step for the live at `at` (epoch ms). */
  rerunAt?: (liveId: string, endedAt: string, at: number) => Promise<unknown>;
  /** Tells users about offers this run created (best effort: "my prizes" is the record). */
  notify?: (offers: PrizeRow[]) => Promise<unknown> | unknown;
}): EndOfLiveStep {
  const { claimMs } = opts;
  const now = opts.now ?? Date.now;
  return {
    name: 'lottery-prizes',
    async run({ liveId, endedAt, db, log }) {
      const repo = createLotteryPrizesRepo(db);
      const deadline = new Date(endedAt).getTime() + claimMs;
      const offers: PrizeRow[] = [];
      let awarded = 0;
      let reassigned = 0;
      for (const lotteryId of await repo.drawnOfLive(liveId)) {
        const won = await repo.awardWinners(lotteryId, deadline, now());
        const passed = await repo.forfeitExpired(lotteryId, now(), claimMs);
        awarded += won.length;
        reassigned += passed.length;
        offers.push(...won, ...passed);
      }
      if (offers.length > 0 && opts.notify) {
        try {
          await opts.notify(offers);
        } catch (err) {
          // NOTE: a lost notification must not re-run the step: the offer stands and "my prizes" lists it.
          log.warn({ err, liveId }, 'prize notification failed');
        }
      }
      const next = await repo.nextDeadline(liveId);
      if (next !== null && opts.rerunAt) await opts.rerunAt(liveId, endedAt, next);
      return { awarded, reassigned, nextDeadline: next };
    },
  };
}
