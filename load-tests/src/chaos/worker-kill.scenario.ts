/**
 * `npm run load -- chaos worker`: the job worker is SIGKILLed again and again while it settles a live. The stack
 * is a private PostgreSQL ledger, Redis, an API node and the worker in its own process. Buyers reserve and pay
 * `--orders` (some holds left unpaid), the host ends the live; each time the `commerce-settlement` job is
 * (re)started by a worker, that worker gets SIGKILL a random moment later and a new one is started, `--kills`
 * times. Then the job must complete, every paid order be settled exactly once, the unpaid holds released, Redis
 * reconcile with the ledger, and each order's merchant webhook be in the outbox once. `--job-max-stalled 1`
 * (BullMQ's own default) is the proof run: the job fails after its second crash and the run FAILs.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { z } from 'zod';
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
import { int, num } from '../options';
import { defineScenario, type ScenarioResult } from '../scenario';
import { startChaosStack } from './stack';
import { workerKillVerdicts } from './worker-kill-verdicts';

export const WorkerKillOptions = z.object({
  orders: int(1, 100_000).default(5000),
  unpaid: int(0, 10_000).default(100),
  buyers: int(1, 20_000).optional(),
  kills: int(1, 50).default(4),
  killWithinMs: int(0, 10_000).default(300),
  lockMs: int(1000, 60_000).default(2000),
  jobMaxStalled: int(0, 100).optional(),
  concurrency: int(1, 1000).default(64),
  settleWait: num(10, 3600).default(180),
});
export type WorkerKillOptions = z.infer<typeof WorkerKillOptions>;

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

export const workerKillScenario = defineScenario({
  name: 'chaos-worker',
  summary: 'kill -9 the job worker again and again while it settles a live: every order settled exactly once',
  benchmark: '#11',
  options: WorkerKillOptions,
  help: {
    orders: 'paid orders to settle (default 5000)',
    unpaid: 'holds left unpaid, released by settlement (default 100)',
    buyers: 'guest buyers (default (orders + unpaid) / 50, at most 100 units each)',
    kills: 'times the worker is killed while the settlement job runs (default 4)',
    killWithinMs: 'each kill comes a random 0..N ms after a worker (re)started the job (default 300)',
    lockMs: "the worker's JOB_LOCK_MS: how soon a dead worker's job is taken up again (default 2000)",
    jobMaxStalled:
      "the worker's JOB_MAX_STALLED (default: the server's, 8); 1 = BullMQ's default, the proof run that must FAIL",
    concurrency: 'HTTP requests in flight while buying (default 64)',
    settleWait: 'seconds to wait for the settlement job after the last kill (default 180)',
  },
  metrics: ['orders', 'kills_mid_job', 'end_to_settled_ms', 'job_starts'],
  needsServer: false,
  async run(ctx, opts): Promise<ScenarioResult> {
    const say = (s: string) => ctx.progress.update(`chaos worker · ${s}`);
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
      if (perUser > 100)
        throw new Error(`--buyers ${buyers}: ${perUser} units each exceeds the limit of 100`);
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
      const band = ctx.timeline.band('settlement under kills', 'project');
      let killsMidJob = 0;
      let lastStart = 0;
      const starts = new Set<number>();
      for (let k = 0; k < opts.kills; k++) {
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
        await sleep(Math.random() * opts.killWithinMs);
        const job = await queue.getJob(stepId);
        if (job?.finishedOn) break;
        say(`kill ${k + 1}/${opts.kills}: SIGKILL the worker (pid ${stack.workerPid()}) mid-settlement`);
        await stack.killWorker();
        killsMidJob++;
        stack.startWorker();
      }
      say('waiting for the settlement job');
      const job = await until(
        async () => {
          const j = await queue.getJob(stepId);
          return j?.finishedOn || j?.failedReason ? j : undefined;
        },
        opts.settleWait * 1000,
        50,
      );
      band();
      const settledMs = job?.finishedOn && !job.failedReason ? job.finishedOn - t0 : null;
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
        kills: opts.kills,
        killsMidJob,
        job: state
          ? {
              finished: Boolean(state.finishedOn && !state.failedReason),
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
  },
});
