/**
 * The `growth-segments` queue: one job recomputes one merchant's segments (requested over REST as the job
 * `<runId>`, polled for its progress), and a scheduled job (`segments-all`, every SEGMENTS_RECOMPUTE_EVERY_MS)
 * enqueues one for every merchant with fans, because segments move with time even when nothing happens.
 * The end-of-live step recomputes the live's merchant directly (segments.ts), like the fan levels.
 */
import { randomUUID } from 'node:crypto';
import type { SegmentRun } from '@lc/contracts/segments.schema';
import { type ConnectionOptions, Queue, Worker } from 'bullmq';
import { z } from 'zod';
import type { Db } from '../../ledger/db';
import type { SegmentPhase } from '../../ledger/segments.repo';
import type { Segments } from './segments';

export const SEGMENTS_QUEUE = 'growth-segments';
const SCHEDULER_ID = 'segments-all';
const MerchantPayload = z.object({ merchantId: z.string().min(1).max(64) });
const PHASE_PCT: Record<SegmentPhase, number> = { computing: 10, pruning: 70, counting: 90 };
const JOB_OPTS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

type Bull = { connection: ConnectionOptions; prefix: string };
type Log = { info(o: object, m?: string): void; warn(o: object, m?: string): void };

/** API side: requests a run for a merchant and reads a run back (only the merchant who asked sees it). */
export function createSegmentRuns(bull: Bull) {
  const queue = new Queue(SEGMENTS_QUEUE, { ...bull, defaultJobOptions: JOB_OPTS });
  return {
    async request(merchantId: string): Promise<string> {
      const runId = randomUUID();
      await queue.add('merchant', { merchantId }, { jobId: runId });
      return runId;
    },
    async get(merchantId: string, runId: string): Promise<SegmentRun | null> {
      const job = await queue.getJob(runId);
      if (!job || MerchantPayload.safeParse(job.data).data?.merchantId !== merchantId) return null;
      const state = await job.getState();
      const p = job.progress as { pct?: number; phase?: string } | number;
      const progress =
        typeof p === 'object' && p
          ? { pct: p.pct ?? 0, phase: p.phase ?? 'waiting' }
          : { pct: 0, phase: 'waiting' };
      return {
        runId,
        state:
          (['waiting', 'active', 'completed', 'failed', 'delayed'] as const).find((s) => s === state) ??
          'unknown',
        progress,
        result: state === 'completed' ? job.returnvalue : null,
        error: state === 'failed' ? (job.failedReason ?? 'failed') : null,
      };
    },
    close: () => queue.close(),
  };
}

/** Worker side: runs merchant jobs and the schedule (0 = no schedule). */
export async function startSegmentsWorker(
  deps: Bull & { db: Db; segments: Pick<Segments, 'recompute'>; everyMs: number; log: Log },
) {
  const queue = new Queue(SEGMENTS_QUEUE, { connection: deps.connection, prefix: deps.prefix });
  const worker = new Worker(
    SEGMENTS_QUEUE,
    async (job) => {
      if (job.name === 'all') {
        const { rows } = await deps.db.query<{ merchant_id: string }>(
          'SELECT DISTINCT merchant_id FROM live_attendance UNION SELECT DISTINCT merchant_id FROM fan_segments',
        );
        const at = job.timestamp;
        await queue.addBulk(
          rows.map((r) => ({
            name: 'merchant',
            data: { merchantId: r.merchant_id },
            // NOTE: one job per merchant per tick, whoever enqueues it and however often.
            opts: { ...JOB_OPTS, jobId: `segments-tick-${at}-${Buffer.from(r.merchant_id).toString('hex')}` },
          })),
        );
        return { merchants: rows.length };
      }
      const { merchantId } = MerchantPayload.parse(job.data);
      await job.updateProgress({ pct: 0, phase: 'started' });
      const result = await deps.segments.recompute(merchantId, (phase) =>
        job.updateProgress({ pct: PHASE_PCT[phase], phase }),
      );
      await job.updateProgress({ pct: 100, phase: 'done' });
      deps.log.info({ merchantId, ...result }, 'segments recomputed');
      return result;
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: 2 },
  );
  worker.on('failed', (job, err) =>
    deps.log.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'segments job failed'),
  );
  if (deps.everyMs > 0)
    await queue.upsertJobScheduler(SCHEDULER_ID, { every: deps.everyMs }, { name: 'all', data: {} });
  else await queue.removeJobScheduler(SCHEDULER_ID);
  return {
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
