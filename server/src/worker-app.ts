/** Composition root of the job worker: infrastructure + every registered end-of-live step. */
import type { Config } from './config';
import { startCommerceWorker } from './features/commerce/commerce.worker';
import { readReport } from './features/commerce/settlement/report';
import { COMMERCE_SETTLEMENT_STEP } from './features/commerce/settlement/settlement.step';
import { interactionStatsStep } from './features/interaction-stats.step';
import { liveStatsStep } from './features/lives/live-stats.step';
import { lotteryPrizesStep } from './features/lottery/lottery-prizes.step';
import { prizeNotifier } from './features/lottery/prize-notifier';
import { pollsCloseStep } from './features/polls/polls-close.step';
import { roomKeysStep } from './features/room-keys.step';
import { type Infra, openInfra } from './infra';
import { createStepRegistry, type EndOfLiveStep } from './jobs/end-of-live';
import { endOfLiveQueue, startEndOfLiveWorker } from './jobs/end-of-live.worker';

type Log = {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
};

/** Every end-of-live step, in one place; features add theirs here (or pass steps built from infra). */
export function registerSteps(...built: EndOfLiveStep[]) {
  const steps = createStepRegistry();
  steps.register(liveStatsStep);
  steps.register(interactionStatsStep);
  for (const step of built) steps.register(step);
  return steps;
}

/**
 * Starts the job worker. Pass `infra` to run inside an API process that already owns it (the PGlite case:
 * an embedded ledger has one owner); the caller then keeps ownership and closes it.
 */
export async function buildWorker(config: Config, log: Log, shared?: Infra) {
  const infra = shared ?? (await openInfra(config, log, 'worker'));
  // Commerce: reservation sweeper, merchant webhooks and the `commerce-settlement` step.
  const commerce = startCommerceWorker({ config, infra, log });
  // Lottery prizes: the step re-runs itself at the next claim deadline (forfeits pass to runners-up).
  const rerunQueue = endOfLiveQueue(infra.bull.connection, infra.bull.prefix);
  const lotteryPrizes = lotteryPrizesStep({
    claimMs: config.LOTTERY_CLAIM_HOURS * 3_600_000,
    notify: prizeNotifier(infra.redis, infra.keys),
    rerunAt: (liveId, endedAt, at) =>
      rerunQueue.add(
        'lottery-prizes',
        { liveId, endedAt },
        { jobId: `lottery-prizes-${liveId}-${at}`, delay: Math.max(0, at - Date.now()) + 1000 },
      ),
  });
  const pollsClose = pollsCloseStep({ scripts: infra.scripts, logMaxLen: config.ROOM_LOG_MAX_LEN });
  // Room and interaction keys: released once their readers ran (the commerce report counts unique viewers).
  const roomKeys = roomKeysStep({
    retainSec: config.ROOM_KEYS_RETAIN_SEC,
    readers: [liveStatsStep, interactionStatsStep, pollsClose],
    pending: async ({ db, liveId }) => ((await readReport(db, liveId)) ? null : COMMERCE_SETTLEMENT_STEP),
    rerunAt: (liveId, endedAt, at) =>
      rerunQueue.add(
        'room-keys',
        { liveId, endedAt },
        { jobId: `room-keys-${liveId}-${at}`, delay: Math.max(0, at - Date.now()) },
      ),
  });
  const eol = startEndOfLiveWorker({
    ...infra.bull,
    steps: registerSteps(pollsClose, roomKeys, lotteryPrizes, ...commerce.steps),
    db: infra.db,
    redis: infra.redis,
    keys: infra.keys,
    log,
  });
  let closed: Promise<void> | undefined;
  return {
    infra,
    eol,
    commerce,
    close(): Promise<void> {
      closed ??= (async () => {
        await eol.close();
        await rerunQueue.close();
        await commerce.close();
        if (!shared) await infra.close();
      })();
      return closed;
    },
  };
}
