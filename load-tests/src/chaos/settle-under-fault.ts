/**
 * What `chaos worker` and `chaos postgres` share: a private PostgreSQL ledger, Redis, an API node and a separate
 * job worker; buyers reserve and pay, the host ends the live, and while the `commerce-settlement` job runs the
 * scenario's fault strikes (`fault`, called each time a worker (re)started the job, until it says stop). Then the
 * job must complete and every effect be exactly once (worker-kill-verdicts.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { COMMERCE_SETTLEMENT_STEP, createKeys, jobId, QUEUE } from '../../../server/src/testkit';
import {
  api,
  liveWithOpenSale,
  ordersOfBuyers,
  readReport,
  reserveAndPay,
  saleView,
} from '../commerce/settlement-setup';
import { nowMs } from '../lib/stats';
import type { ScenarioContext, ScenarioResult } from '../scenario';
import { type ChaosStack, startChaosStack } from './stack';
import { workerKillVerdicts } from './worker-kill-verdicts';

export interface SettleUnderFault {
  name: string;
  orders: number;
  unpaid: number;
  buyers?: number;
  concurrency: number;
  lockMs: number;
  jobMaxStalled?: number;
  settleWait: number;
  /** Faults to inject (each after a worker (re)started the job). */
  faults: number;
  /** The fault: strikes once (the k-th time), while a worker runs the job. */
  strike(stack: ChaosStack, k: number): Promise<void>;
  /** Wait this long (random 0..N ms) after the job started before striking. */
  strikeWithinMs: number;
  notes: string[];
}

async function until<T>(
  fn: () => Promise<T | undefined>,
  ms: number,
  everyMs: number,
): Promise<T | undefined> {
  const end = nowMs() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined || nowMs() > end) return v;
    await sleep(everyMs);
  }
}

export async function settleUnderFault(
  ctx: ScenarioContext,
  opts: SettleUnderFault,
): Promise<ScenarioResult> {
  const say = (s: string) => ctx.progress.update(`${opts.name} · ${s}`);
  say('starting PostgreSQL, Redis, the API node and the job worker');
  const stack = await startChaosStack({
    cpu: ctx.serverCpu,
    postgres: true,
    env: {
      SALE_FAIR_WINDOW_MS: '0',
      JOB_LOCK_MS: String(opts.lockMs),
      ...(opts.jobMaxStalled !== undefined ? { JOB_MAX_STALLED: String(opts.jobMaxStalled) } : {}),
    },
  });
  const untrack = ctx.timeline.track('API node', { kind: 'proc', pid: stack.serverPid });
  const redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUE.endOfLive, {
    connection: redis,
    prefix: createKeys(stack.prefix).bullPrefix,
  });
  const ledger = new pg.Client({ connectionString: stack.databaseUrl });
  try {
    const base = stack.url;
    const total = opts.orders + opts.unpaid;
    const buyers = Math.min(total, opts.buyers ?? Math.max(1, Math.ceil(total / 50)));
    const perUser = Math.ceil(total / buyers);
    if (perUser > 100) throw new Error(`--buyers ${buyers}: ${perUser} units each exceeds the limit of 100`);
    const sale = await liveWithOpenSale(base, total, perUser);
    const bought = await reserveAndPay(base, sale, {
      orders: opts.orders,
      unpaid: opts.unpaid,
      buyers,
      concurrency: opts.concurrency,
      backlog: 200,
      onProgress: say,
    });
    await until(
      async () => {
        const o = await ordersOfBuyers(base, sale.liveId, bought.buyerTokens, 16);
        say(`orders in the ledger ${o.length}/${bought.paid.size}`);
        return o.length >= bought.paid.size ? true : undefined;
      },
      120_000,
      500,
    );

    say('ending the live');
    const stepId = jobId.step(COMMERCE_SETTLEMENT_STEP, sale.liveId);
    const t0 = Date.now();
    await api(base, 'POST', `/api/lives/${sale.liveId}/end`, { token: sale.hostToken });
    const band = ctx.timeline.band('settlement under faults', 'project');
    let killsMidJob = 0;
    let lastStart = 0;
    const starts = new Set<number>();
    for (let k = 0; k < opts.faults; k++) {
      // Wait for a worker to (re)start the job: a new processedOn while it is active.
      const started = await until(
        async () => {
          const job = await queue.getJob(stepId);
          if (!job || job.finishedOn) return job ? 'done' : undefined;
          if (job.processedOn && job.processedOn !== lastStart && (await job.getState()) === 'active') {
            lastStart = job.processedOn;
            starts.add(job.processedOn);
            return 'active';
          }
          return undefined;
        },
        opts.lockMs * 4 + 30_000,
        5,
      );
      if (started !== 'active') break;
      await sleep(Math.random() * opts.strikeWithinMs);
      const job = await queue.getJob(stepId);
      if (job?.finishedOn) break;
      say(`fault ${k + 1}/${opts.faults} mid-settlement`);
      await opts.strike(stack, k);
      killsMidJob++;
    }
    say('waiting for the settlement job');
    const job = await until(
      async () => {
        // NOTE: a failed attempt sets failedReason too; only 'completed' or 'failed' (no attempt left) are final.
        const j = await queue.getJob(stepId);
        const state = j ? await j.getState() : undefined;
        return state === 'completed' || state === 'failed' ? j : undefined;
      },
      opts.settleWait * 1000,
      50,
    );
    band();
    const settledMs = job?.finishedOn && (await job.getState()) === 'completed' ? job.finishedOn - t0 : null;
    const state = (await queue.getJob(stepId)) ?? undefined;
    const report = await until(() => readReport(base, sale), 10_000, 200);
    const orders = await ordersOfBuyers(base, sale.liveId, bought.buyerTokens, 16);
    const stock = (await saleView(base, sale)).stock;
    await ledger.connect();
    const outbox = await ledger.query<{ event_id: string; n: string }>(
      "SELECT event_id, count(*) AS n FROM merchant_webhooks WHERE live_id = $1 AND type = 'order.settled' GROUP BY event_id",
      [sale.liveId],
    );
    const failedSteps = (await queue.getJobs(['failed'])).filter((j) => j.data?.liveId === sale.liveId);

    const verdicts = workerKillVerdicts({
      kills: opts.faults,
      killsMidJob,
      job: state
        ? {
            finished: (await state.getState()) === 'completed',
            // A failed attempt leaves its reason even when a retry completed the job.
            failedReason: state.failedReason,
            attemptsMade: state.attemptsMade,
            stalled: (state as unknown as { stalledCounter?: number }).stalledCounter ?? null,
          }
        : undefined,
      paid: bought.paid,
      unpaid: bought.unpaid.size,
      orders,
      stock,
      report,
      outboxEvents: outbox.rows.map((r) => ({ id: r.event_id, n: Number(r.n) })),
      failedSteps: failedSteps.map((j) => `${j.name}: ${j.failedReason}`),
    });
    return {
      verdicts,
      metrics: {
        orders: bought.paid.size,
        kills_mid_job: killsMidJob,
        end_to_settled_ms: settledMs,
        job_starts: starts.size,
      },
      comparisons: [],
      rounds: [],
      charts: {},
      notes: [
        `JOB_LOCK_MS=${opts.lockMs}, JOB_MAX_STALLED=${opts.jobMaxStalled ?? 'server default (8)'}`,
        `setup errors: ${JSON.stringify(bought.errors)}`,
      ],
      details: { failedReason: state?.failedReason, attemptsMade: state?.attemptsMade },
    };
  } finally {
    untrack();
    await ledger.end().catch(() => undefined);
    await queue.close();
    redis.disconnect();
    await stack.stop();
  }
}
