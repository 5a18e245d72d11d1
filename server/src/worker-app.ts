/**
 * Composition root of the job worker: infrastructure, then every feature's `worker` part (end-of-live steps,
 * sweepers, webhook delivery) from composition/features.ts, then the end-of-live worker that runs the steps.
 */
import type { Stop, WorkerContext } from './composition/feature';
import { FEATURES } from './composition/features';
import { createServiceRegistry } from './composition/services';
import type { Config } from './config';
import { type Infra, openInfra } from './infra';
import { createStepRegistry } from './jobs/end-of-live';
import { endOfLiveQueue, startEndOfLiveWorker } from './jobs/end-of-live.jobs';

type Log = {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
};

/**
 * Starts the job worker. Pass `infra` to run inside an API process that already owns it (the PGlite case:
 * an embedded ledger has one owner); the caller then keeps ownership and closes it.
 */
export async function buildWorker(config: Config, log: Log, shared?: Infra) {
  const infra = shared ?? (await openInfra(config, log, 'worker'));
  const steps = createStepRegistry();
  const closers: Array<[string, Stop]> = [];
  // Steps that re-run themselves later (claim deadlines, readers still working) add delayed jobs here.
  const rerunQueue = endOfLiveQueue(infra.bull.connection, infra.bull.prefix);
  const ctx: WorkerContext = {
    ...createServiceRegistry(),
    config,
    log,
    infra,
    steps,
    step: (step) => steps.register(step),
    rerunAt: (step, liveId, endedAt, at) =>
      rerunQueue.add(
        step,
        { liveId, endedAt },
        { jobId: `${step}-${liveId}-${at}`, delay: Math.max(0, at - Date.now()) + 1000 },
      ),
    onClose: (name, close) => {
      closers.push([name, close]);
    },
  };
  for (const feature of FEATURES) await feature.worker?.(ctx);
  const eol = startEndOfLiveWorker({
    ...infra.bull,
    steps,
    db: infra.db,
    redis: infra.redis,
    keys: infra.keys,
    log,
    lockMs: config.JOB_LOCK_MS,
    maxStalled: config.JOB_MAX_STALLED,
  });
  let closed: Promise<void> | undefined;
  return {
    infra,
    eol,
    /** Every registered end-of-live step, by name. */
    steps,
    close(): Promise<void> {
      closed ??= (async () => {
        await eol.close();
        await rerunQueue.close();
        for (const [name, fn] of closers.reverse()) {
          try {
            await fn();
          } catch (err) {
            log.warn({ err, step: name }, 'worker shutdown step failed');
          }
        }
        if (!shared) await infra.close();
      })();
      return closed;
    },
  };
}
