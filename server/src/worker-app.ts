/** Composition root of the job worker: infrastructure + every registered end-of-live step. */
import type { Config } from './config';
import { liveStatsStep } from './features/lives/live-stats.step';
import { openInfra } from './infra';
import { createStepRegistry } from './jobs/end-of-live';
import { startEndOfLiveWorker } from './jobs/end-of-live.worker';

type Log = { info(o: object, m?: string): void; warn(o: object, m?: string): void; error(o: object, m?: string): void };

/** Every end-of-live step, in one place; features add theirs here. */
export function registerSteps() {
  const steps = createStepRegistry();
  steps.register(liveStatsStep);
  return steps;
}

export async function buildWorker(config: Config, log: Log) {
  const infra = await openInfra(config, log, 'worker');
  const eol = startEndOfLiveWorker({
    ...infra.bull,
    steps: registerSteps(),
    db: infra.db,
    redis: infra.redis,
    keys: infra.keys,
    log,
  });
  let closed: Promise<void> | undefined;
  return {
    infra,
    eol,
    close(): Promise<void> {
      closed ??= (async () => {
        await eol.close();
        await infra.close();
      })();
      return closed;
    },
  };
}
