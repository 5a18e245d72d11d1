/**
 * `npm run load -- chaos redis`: redis-server is SIGKILLed in the middle of a flash sale and started again from
 * its AOF (everysec). Before the kill some buyers reserve and pay (orders in the ledger); then a reserve storm
 * runs before, through and after the outage. Verdicts (redis-kill-verdicts.ts): oversold 0, one reservation per
 * Idempotency-Key, every request during the outage answered 503 SERVICE_UNAVAILABLE (fail closed), service back
 * after the restart, no acknowledged hold lost beyond the fsync window, and every order paid before the kill
 * settled exactly once after the live ends. `--restart-empty on` restarts Redis without its files (a Redis
 * without persistence): that run must FAIL — the proof the verdicts can.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { readSaleState } from '../commerce/sale-audit';
import {
  api,
  liveWithOpenSale,
  ordersOfBuyers,
  readReport,
  reserveAndPay,
} from '../commerce/settlement-setup';
import { readProc } from '../lib/resources';
import { nowMs } from '../lib/stats';
import { int, num, onOff } from '../options';
import { defineScenario, type ScenarioResult } from '../scenario';
import { AOF_LOSS_WINDOW_MS, RECOVERY_GRACE_MS, redisKillVerdicts } from './redis-kill-verdicts';
import { startReserveStorm } from './reserve-storm';
import { startChaosStack } from './stack';

export const RedisKillOptions = z.object({
  buyers: int(1, 20_000).default(200),
  units: int(1, 1_000_000).default(20_000),
  perUserLimit: int(1, 100).default(100),
  paidBefore: int(0, 10_000).default(50),
  concurrency: int(1, 1000).default(32),
  before: num(0.5, 600).default(3),
  outage: num(0.5, 600).default(8),
  after: num(1, 600).default(4),
  requestTimeout: num(1, 120).default(10),
  replayShare: num(0, 1).default(0.1),
  restartEmpty: onOff.default(false),
});
export type RedisKillOptions = z.infer<typeof RedisKillOptions>;

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

const quantile = (xs: number[], q: number): number | null => {
  if (!xs.length) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null;
};

export const redisKillScenario = defineScenario({
  name: 'chaos-redis',
  summary:
    'kill -9 Redis mid flash sale, restart it from its AOF: oversold 0, no duplicate, 503 while down, paid orders settled',
  benchmark: '#11',
  options: RedisKillOptions,
  help: {
    buyers: 'guest buyers (default 200)',
    units: 'units on sale (default 20000: the sale is still open when Redis dies)',
    perUserLimit: 'units per buyer (default 100)',
    paidBefore: 'reservations paid before the kill (orders in the ledger; default 50)',
    concurrency: 'reserve requests in flight during the storm (default 32)',
    before: 'seconds of storm before the kill (default 3)',
    outage: 'seconds Redis stays down (default 8)',
    after: `seconds of storm after the API node is ready again and a ${RECOVERY_GRACE_MS / 1000} s grace (default 4)`,
    requestTimeout: 'seconds a reserve may take before it counts as unanswered (default 10)',
    replayShare: "share of reserves that repeat the buyer's previous Idempotency-Key (default 0.1)",
    restartEmpty:
      'on: restart Redis with its files wiped (no persistence) — the run must FAIL (proof the verdicts can)',
  },
  metrics: [
    'answers',
    'sent_during_outage',
    'refused_503',
    'refusal_p50_ms',
    'refusal_p99_ms',
    'outage_ms',
    'ready_after_restart_ms',
    'acked_holds_lost',
    'paid_before_kill',
    'server_cpu_s',
  ],
  needsServer: false,
  async run(ctx, opts): Promise<ScenarioResult> {
    const say = (s: string) => ctx.progress.update(`chaos redis · ${s}`);
    say('starting redis-server (AOF everysec) and the API node');
    const stack = await startChaosStack({ cpu: ctx.serverCpu, env: { SALE_FAIR_WINDOW_MS: '0' } });
    const untrack = ctx.timeline.track('API node', { kind: 'proc', pid: stack.serverPid });
    const redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
    try {
      const base = stack.url;
      const sale = await liveWithOpenSale(base, opts.units, opts.perUserLimit);
      const bought = await reserveAndPay(base, sale, {
        orders: opts.paidBefore,
        unpaid: 0,
        buyers: opts.buyers,
        concurrency: Math.min(opts.concurrency, 64),
        backlog: 200,
        onProgress: say,
      });
      const paidBefore = new Set(bought.paid.keys());
      await until(
        async () => {
          const o = await ordersOfBuyers(base, sale.liveId, bought.buyerTokens, 16);
          say(`orders in the ledger before the kill ${o.length}/${paidBefore.size}`);
          return o.length >= paidBefore.size ? true : undefined;
        },
        60_000,
        300,
      );
      // NOTE: "paid before the kill" means paid more than one AOF fsync before it; the storm's holds are what
      // the kill's loss window is measured on.
      await sleep(AOF_LOSS_WINDOW_MS);

      const cpu0 = readProc(stack.serverPid)?.cpuSeconds;
      const storm = startReserveStorm({
        base,
        liveId: sale.liveId,
        saleId: sale.saleId,
        tokens: bought.buyerTokens,
        concurrency: opts.concurrency,
        timeoutMs: opts.requestTimeout * 1000,
        replayShare: opts.replayShare,
        keyPrefix: 'chaos',
      });
      const band = ctx.timeline.band('storm', 'project');
      say(`storm ${opts.before} s before the kill`);
      await sleep(opts.before * 1000);
      const killAt = Date.now();
      const endOutage = ctx.timeline.band('Redis down', 'project');
      await stack.killRedis();
      const downAt = Date.now();
      say(`redis-server killed (SIGKILL); down for ${opts.outage} s`);
      await sleep(opts.outage * 1000);
      await stack.startRedis({ empty: opts.restartEmpty });
      const restartAt = Date.now();
      endOutage();
      say('redis-server restarted; waiting for the API node');
      const ready = await stack.waitReady(60_000);
      const readyAt = ready ? Date.now() : null;
      // NOTE: the recovery verdict reads only answers sent after the grace, so the storm runs `after` past it.
      await sleep(RECOVERY_GRACE_MS + opts.after * 1000);
      const answers = await storm.stop();
      band();
      const cpu1 = readProc(stack.serverPid)?.cpuSeconds;

      say('reading the sale back from Redis');
      await redis.connect();
      const saleState = await readSaleState(redis, stack.prefix, {
        liveId: sale.liveId,
        saleId: sale.saleId,
        units: opts.units,
        perUserLimit: opts.perUserLimit,
        keyPrefix: 'chaos',
      });
      say('ending the live; waiting for settlement');
      await api(base, 'POST', `/api/lives/${sale.liveId}/end`, { token: sale.hostToken }).catch(
        () => undefined,
      );
      const report = await until(() => readReport(base, sale), 60_000, 200);
      const orders = await ordersOfBuyers(base, sale.liveId, bought.buyerTokens, 16).catch(() => []);

      const verdicts = redisKillVerdicts({
        units: opts.units,
        perUserLimit: opts.perUserLimit,
        answers,
        replaysSent: storm.replays(),
        killAt,
        downAt,
        restartAt,
        readyAt,
        paidBefore,
        sale: saleState,
        report,
        orders,
      });
      const refusals = answers
        .filter((a) => a.sentAt >= downAt && a.sentAt < restartAt && a.status === 503)
        .map((a) => a.at - a.sentAt);
      const known = new Set(saleState.reservations.map((x) => x.id));
      const lost = answers.filter(
        (a) => a.code === 'CREATED' && a.at < restartAt && a.reservationId && !known.has(a.reservationId),
      ).length;
      return {
        verdicts,
        metrics: {
          answers: answers.length,
          sent_during_outage: answers.filter((a) => a.sentAt >= downAt && a.sentAt < restartAt).length,
          refused_503: refusals.length,
          refusal_p50_ms: quantile(refusals, 0.5),
          refusal_p99_ms: quantile(refusals, 0.99),
          outage_ms: restartAt - killAt,
          ready_after_restart_ms: readyAt === null ? null : readyAt - restartAt,
          acked_holds_lost: lost,
          paid_before_kill: paidBefore.size,
          server_cpu_s:
            cpu0 === undefined || cpu1 === undefined ? null : Math.round((cpu1 - cpu0) * 100) / 100,
        },
        comparisons: [],
        rounds: [],
        charts: {},
        notes: [
          `restart ${opts.restartEmpty ? 'with the Redis files wiped (proof run: must FAIL)' : 'from the AOF (appendfsync everysec)'}`,
          `setup errors: ${JSON.stringify(bought.errors)}`,
        ],
        details: {
          killAt,
          downAt,
          restartAt,
          readyAt,
          counters: saleState.counters,
          reservations: known.size,
        },
      };
    } finally {
      untrack();
      redis.disconnect();
      await stack.stop();
    }
  },
});
