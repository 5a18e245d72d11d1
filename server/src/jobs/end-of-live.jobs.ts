/**
 * Worker side of the end-of-live flow: `end-live` fans out one job per registered step (deterministic ids);
 * each step job parses its payload again and runs the idempotent step.
 */
import { type ConnectionOptions, type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Db } from '../ledger/db';
import type { Keys } from '../redis/keys';
import type { StepRegistry } from './end-of-live';
import { EndOfLivePayload, jobId, QUEUE } from './queues';

type Log = {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
};

export const JOB_DEFAULTS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 30 * 24 * 3600 },
} as const;

export function endOfLiveQueue(connection: ConnectionOptions, prefix: string): Queue {
  return new Queue(QUEUE.endOfLive, { connection, prefix, defaultJobOptions: JOB_DEFAULTS });
}

export function startEndOfLiveWorker(deps: {
  connection: ConnectionOptions;
  prefix: string;
  steps: StepRegistry;
  db: Db;
  redis: Redis;
  keys: Keys;
  log: Log;
  concurrency?: number;
  /** JOB_LOCK_MS and JOB_MAX_STALLED (see config.ts). */
  lockMs?: number;
  maxStalled?: number;
}) {
  const queue = endOfLiveQueue(deps.connection, deps.prefix);
  const process = async (job: Job) => {
    const payload = EndOfLivePayload.parse(job.data);
    if (job.name === 'end-live') {
      const steps = deps.steps.list();
      await queue.addBulk(
        steps.map((s) => ({
          name: s.name,
          data: payload,
          opts: { ...JOB_DEFAULTS, jobId: jobId.step(s.name, payload.liveId) },
        })),
      );
      deps.log.info(
        { liveId: payload.liveId, steps: steps.map((s) => s.name) },
        'end-of-live steps scheduled',
      );
      return { scheduled: steps.map((s) => s.name) };
    }
    const step = deps.steps.get(job.name);
    if (!step) throw new Error(`no end-of-live step named ${job.name}`);
    const result = await step.run({
      ...payload,
      db: deps.db,
      redis: deps.redis,
      keys: deps.keys,
      log: deps.log,
      progress: (p) => job.updateProgress(p),
    });
    deps.log.info({ liveId: payload.liveId, step: step.name, result }, 'end-of-live step done');
    return result ?? null;
  };
  const worker = new Worker(QUEUE.endOfLive, process, {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: deps.concurrency ?? 4,
    // NOTE: a job whose worker died is moved back to wait by the next stalled check after its lock expired;
    // BullMQ's default (fail after a second stall) would leave a live unsettled after two crashes.
    lockDuration: deps.lockMs ?? 30_000,
    stalledInterval: deps.lockMs ?? 30_000,
    maxStalledCount: deps.maxStalled ?? JOB_DEFAULTS.attempts,
  });
  worker.on('failed', (job, err) =>
    deps.log.error(
      { jobId: job?.id, attempts: job?.attemptsMade, err: err.message },
      'end-of-live job failed',
    ),
  );
  return {
    worker,
    queue,
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
