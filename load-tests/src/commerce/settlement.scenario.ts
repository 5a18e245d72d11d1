/**
 * Settlement throughput (benchmark #8): a live with one sale; B buyers reserve N + U units over HTTP and pay
 * N of them (simulated provider, signed callbacks); the host ends the live and the clock runs from `live:end`
 * until the settlement report is readable (polled over REST) and until the worker's `commerce-settlement`
 * job completed (its BullMQ record), then until the merchant endpoint this scenario runs received every
 * webhook. A second settlement run is forced (job removed and enqueued again) and must change nothing.
 * Verdicts in settlement-verdicts.ts.
 */
import { randomBytes } from 'node:crypto';
import { Live } from '@lc/contracts/live.schema';
import { type Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { COMMERCE_SETTLEMENT_STEP, freePort, jobId, QUEUE } from '../../../server/src/testkit';
import { measureRound } from '../lib/round-usage';
import { nowMs, round } from '../lib/stats';
import { int, num } from '../options';
import { defineScenario, type ScenarioResult } from '../scenario';
import { startMerchantReceiver } from './merchant-receiver';
import {
  api,
  liveWithOpenSale,
  ordersOfBuyers,
  readReport,
  reserveAndPay,
  saleView,
} from './settlement-setup';
import { commerceKeyState, type StepResult, settlementVerdicts } from './settlement-verdicts';

export const SettlementOptions = z.object({
  orders: int(1, 200_000).default(1000),
  unpaid: int(0, 100_000).optional(),
  buyers: int(1, 100_000).optional(),
  concurrency: int(1, 2000).default(64),
  backlog: int(1, 100_000).default(200),
  webhookWait: num(1, 3600).default(120),
  merchantPort: int(0, 65_535).default(0),
  merchantSecret: z.string().min(32).optional(),
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  redisPrefix: z.string().min(1).default('lcload'),
});
export type SettlementOptions = z.infer<typeof SettlementOptions>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `fn` returns a value or the deadline passes (then undefined). */
async function until<T>(fn: () => Promise<T | undefined>, ms: number, everyMs = 10): Promise<T | undefined> {
  const end = nowMs() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined || nowMs() > end) return v;
    await sleep(everyMs);
  }
}

export const settlementScenario = defineScenario({
  name: 'settlement',
  summary:
    'orders settled after the live ends (end → report, job, webhooks); exactly once, rerun changes nothing',
  benchmark: '#8',
  options: SettlementOptions,
  help: {
    orders: 'paid orders to settle (default 1000)',
    unpaid: 'reservations left unpaid, released by settlement (default orders / 20)',
    buyers:
      'guest buyers; each makes orders / buyers reservations (default (orders + unpaid) / 10, limit 100 each)',
    concurrency: 'HTTP requests in flight while buying (default 64)',
    backlog: 'paid payments at most waiting for their provider callback while buying (default 200)',
    webhookWait: 'seconds to wait for every merchant webhook after the end (default 120)',
    merchantPort:
      'port of the merchant endpoint this scenario runs (default: a free one; with --url the server must post to it)',
    merchantSecret: "the server's MERCHANT_WEBHOOK_SECRET (set for --spawn; needed with --url)",
    redisUrl: "the server's Redis, to read the settlement job and the commerce keys (known with --spawn)",
    redisPrefix: "the server's REDIS_PREFIX (default lcload, as --spawn sets it)",
  },
  metrics: [
    'orders',
    'end_to_report_ms',
    'end_to_job_done_ms',
    'job_run_ms',
    'orders_settled_per_s',
    'end_to_webhooks_ms',
    'webhooks_per_s',
    'server_cpu_s',
    'orders_per_cpu_s',
    'webhooks_server_cpu_s',
    'server_peak_rss_mb',
  ],
  // NOTE: resolves --merchant-port 0 and the secret before the server is spawned, so run() sees the same ones.
  async spawnEnv(opts: SettlementOptions) {
    if (opts.merchantPort === 0) opts.merchantPort = await freePort();
    opts.merchantSecret ??= randomBytes(32).toString('hex');
    return {
      MERCHANT_WEBHOOK_URL: `http://127.0.0.1:${opts.merchantPort}/merchant`,
      MERCHANT_WEBHOOK_SECRET: opts.merchantSecret,
      MERCHANT_WEBHOOK_BACKOFF_MS: '200',
      COMMERCE_KEYS_RETAIN_SEC: '0',
      SALE_FAIR_WINDOW_MS: '0',
    };
  },
  async run(ctx, opts): Promise<ScenarioResult> {
    const redisUrl = opts.redisUrl ?? ctx.project.redisUrl;
    if (!redisUrl || !opts.merchantSecret || opts.merchantPort === 0) {
      throw new Error(
        'settlement reads the job from the server Redis and receives its merchant webhooks: use --spawn, or pass ' +
          '--redis-url, --merchant-port and --merchant-secret matching the server (MERCHANT_WEBHOOK_URL, _SECRET)',
      );
    }
    const say = (s: string) => ctx.progress.update(`settlement · ${s}`);
    const base = ctx.project.url;
    const unpaid = opts.unpaid ?? Math.floor(opts.orders / 20);
    const total = opts.orders + unpaid;
    const buyers = Math.min(total, opts.buyers ?? Math.max(1, Math.ceil(total / 10)));
    const perUser = Math.ceil(total / buyers);
    if (perUser > 100) throw new Error(`--buyers ${buyers}: ${perUser} units each exceeds the limit of 100`);
    const receiver = await startMerchantReceiver(opts.merchantPort, opts.merchantSecret);
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE.endOfLive, { connection: redis, prefix: `${opts.redisPrefix}:bull` });
    try {
      // Setup: buy and pay, then wait until every payment is an order in the ledger.
      const t0Setup = nowMs();
      const sale = await liveWithOpenSale(base, total, perUser);
      const bought = await reserveAndPay(base, sale, {
        orders: opts.orders,
        unpaid,
        buyers,
        concurrency: opts.concurrency,
        backlog: opts.backlog,
        onProgress: say,
      });
      const paidCount = bought.paid.size;
      await until(
        async () => ((await saleView(base, sale)).stock.sold >= paidCount ? true : undefined),
        60_000,
        200,
      );
      const before = await until(
        async () => {
          const o = await ordersOfBuyers(base, sale.liveId, bought.buyerTokens, opts.concurrency);
          say(`waiting for the ledger · ${o.length}/${paidCount} orders`);
          return o.length >= paidCount ? o : undefined;
        },
        60_000,
        500,
      );
      const stockBefore = (await saleView(base, sale)).stock;
      const setupS = (nowMs() - t0Setup) / 1000;

      // The measured part: end → report readable, → job completed, → every webhook received.
      say(`ending the live · ${paidCount} orders, ${bought.unpaid.size} unpaid holds`);
      const stepJobId = jobId.step(COMMERCE_SETTLEMENT_STEP, sale.liveId);
      const endBand = ctx.timeline.band('settlement', 'project');
      const usage = await measureRound(ctx.project);
      const wall0 = Date.now();
      const t0 = nowMs();
      const tl0 = ctx.timeline.now();
      const ended = Live.parse(
        await api(base, 'POST', `/api/lives/${sale.liveId}/end`, { token: sale.hostToken }),
      );
      const report = await until(() => readReport(base, sale), 120_000, 10);
      const reportMs = nowMs() - t0;
      say(`report readable after ${Math.round(reportMs)} ms; waiting for the job`);
      const job = await until(async () => {
        const j = await queue.getJob(stepJobId);
        return j?.finishedOn ? j : undefined;
      }, 120_000);
      const jobDoneMs = job?.finishedOn ? job.finishedOn - wall0 : null;
      const settleUsage = await usage.stop();
      endBand();
      const endHooks = ctx.timeline.band('webhooks', 'project');
      const hookUsage = await measureRound(ctx.project);
      const expectedHooks = paidCount + 1;
      await until(
        async () => {
          say(`merchant webhooks ${receiver.events.size}/${expectedHooks}`);
          return receiver.events.size >= expectedHooks ? true : undefined;
        },
        opts.webhookWait * 1000,
        100,
      );
      const hooksMs = receiver.events.size > 0 ? receiver.lastAt - t0 : null;
      const hooksUsage = await hookUsage.stop();
      endHooks();

      // After: the ledger per buyer, the Redis keys, then a forced second run that must change nothing.
      const after = await ordersOfBuyers(base, sale.liveId, bought.buyerTokens, opts.concurrency);
      const keysAfter = await commerceKeyState(redis, opts.redisPrefix, sale);
      say('second settlement run');
      const deliveriesBefore = receiver.total();
      const rerun = await rerunStep(queue, stepJobId, { liveId: sale.liveId, endedAt: ended.endedAt ?? '' });
      await sleep(1000);
      const afterRerun = {
        report: await readReport(base, sale),
        orders: await ordersOfBuyers(base, sale.liveId, bought.buyerTokens, opts.concurrency),
        keys: await commerceKeyState(redis, opts.redisPrefix, sale),
        deliveries: receiver.total() - deliveriesBefore,
      };

      const verdicts = settlementVerdicts({
        bought,
        before: before ?? [],
        stockBefore,
        report,
        first: job?.returnvalue as StepResult | undefined,
        after,
        keysAfter,
        receiver,
        rerun,
        afterRerun,
      });
      const ms = (x: number | null) => (x === null ? null : round(x, 1));
      const peakRss = settleUsage.server.peakRssBytes;
      const metrics = {
        orders: paidCount,
        end_to_report_ms: report ? ms(reportMs) : null,
        end_to_job_done_ms: ms(jobDoneMs),
        job_run_ms: job?.finishedOn && job.processedOn ? job.finishedOn - job.processedOn : null,
        orders_settled_per_s: jobDoneMs ? round(paidCount / (jobDoneMs / 1000), 0) : null,
        end_to_webhooks_ms: ms(hooksMs),
        webhooks_per_s: hooksMs ? round(receiver.events.size / (hooksMs / 1000), 0) : null,
        server_cpu_s: settleUsage.serverSideCpuSeconds,
        orders_per_cpu_s: settleUsage.serverSideCpuSeconds
          ? round(paidCount / settleUsage.serverSideCpuSeconds, 0)
          : null,
        webhooks_server_cpu_s: hooksUsage.serverSideCpuSeconds,
        server_peak_rss_mb: peakRss === null ? null : round(peakRss / 1e6, 1),
      };
      const record = {
        side: 'project' as const,
        label: 'project',
        index: 0,
        metrics: {
          ...metrics,
          unpaid: bought.unpaid.size,
          buyers,
          setup_s: round(setupS, 1),
          server_process_cpu_s: settleUsage.server.cpuSeconds,
          generator_cpu_pct: settleUsage.generator.cpuPercent,
          machine_other_cpu_pct: settleUsage.machine.otherPct,
        },
        server: settleUsage.server,
        generator: settleUsage.generator,
        machine: settleUsage.machine,
        verdicts,
      };
      return {
        verdicts,
        metrics,
        comparisons: [],
        rounds: [record],
        charts: {
          throughput: {
            title: 'merchant webhooks received (distinct event ids)',
            unit: 'events/s',
            series: [{ name: 'webhooks', points: perSecond(receiver.firstAt, t0, tl0) }],
          },
        },
        notes: [
          `${buyers} guest buyers made ${total} reservations of one unit (${perUser} each at most) over HTTP with ` +
            `Idempotency-Keys, ${opts.concurrency} requests in flight; ${paidCount} paid through the simulated ` +
            `provider (signed callbacks), ${bought.unpaid.size} left unpaid; setup took ${round(setupS, 1)} s (not measured)`,
          'end → report: POST /end until GET /report answers 200, polled every 10 ms; end → job: the ' +
            "commerce-settlement job's finishedOn (BullMQ) minus the wall clock at POST /end (one machine, one clock)",
          'server CPU-s: server + its Redis from POST /end until the job finished; webhooks CPU-s: from then until ' +
            'the merchant endpoint had every event',
          `first run's phases (ms of the step's wall time): ${JSON.stringify((job?.returnvalue as StepResult | undefined)?.phasesMs ?? null)}`,
        ],
        details: {
          liveId: sale.liveId,
          saleId: sale.saleId,
          firstRun: job?.returnvalue ?? null,
          secondRun: rerun.result ?? null,
          setupErrors: bought.errors,
          keysAfter,
        },
      };
    } finally {
      await queue.close();
      redis.disconnect();
      await receiver.close();
    }
  },
});

/** Arrivals (generator ms) as [timeline s, events/s] in 0.5-s bins from `t0` (= timeline `tl0`). */
function perSecond(at: number[], t0: number, tl0: number): [number, number][] {
  const bins = new Map<number, number>();
  for (const a of at) {
    const b = Math.floor((a - t0) / 500);
    bins.set(b, (bins.get(b) ?? 0) + 1);
  }
  const last = Math.max(-1, ...bins.keys());
  return Array.from({ length: last + 1 }, (_, b) => [round(tl0 + b * 0.5, 2), (bins.get(b) ?? 0) * 2]);
}

/** Forces a second run of the step: the completed job is removed and enqueued again under its id. */
async function rerunStep(
  queue: Queue,
  id: string,
  data: { liveId: string; endedAt: string },
): Promise<{ result?: StepResult; error?: string }> {
  const old: Job | undefined = await queue.getJob(id);
  await old?.remove();
  await queue.add(COMMERCE_SETTLEMENT_STEP, data, { jobId: id, attempts: 1 });
  const job = await until(async () => {
    const j = await queue.getJob(id);
    return j?.finishedOn ? j : undefined;
  }, 60_000);
  if (!job) return { error: 'the second run did not finish within 60 s' };
  if (job.failedReason) return { error: job.failedReason };
  return { result: job.returnvalue as StepResult };
}
