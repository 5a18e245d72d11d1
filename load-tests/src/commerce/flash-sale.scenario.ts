/**
 * Flash-sale storm (benchmark #4): reserve attempts over HTTP with autocannon — many buyers, an
 * Idempotency-Key per attempt, some keys sent again — alternated with bare `node:http` hello (A B A B).
 * Each project round opens a fresh sale and, after the storm, reads the server's records back: oversold = 0,
 * sold + reserved + remaining = initial, one reservation per key, the per-user limit. `--break-stock on`
 * runs the same storm against a server started with a test-only preload that removes the stock check, to
 * show the verdicts fail.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { cannon } from '../http/cannon';
import { type Endpoint, ROOT, spawnProjectServer } from '../lib/processes';
import { guestTokens, hostWithLive } from '../lib/project-api';
import { measureRound, perCall } from '../lib/round-usage';
import { sides } from '../lib/sides';
import { type LatencyHistogram, ratio, round } from '../lib/stats';
import { int, num, onOff, UsageError } from '../options';
import { defineScenario, type RoundRecord, type ScenarioResult, type Side, type Verdict } from '../scenario';
import { BuyerMix, OutcomeTally } from './buyer-mix';
import { reserveCannon } from './reserve-cannon';
import { readSaleState, saleVerdicts } from './sale-audit';
import { addProduct, openSale } from './sale-setup';

export const FlashSaleOptions = z.object({
  connections: int(1, 10_000).default(100),
  pipelining: int(1, 100).default(10),
  duration: num(1, 600).default(10),
  rounds: int(1, 10).default(2),
  baseline: onOff.default(true),
  buyers: int(1, 50_000).default(1000),
  units: int(1, 1_000_000).default(500),
  perUserLimit: int(1, 10).default(2),
  replayShare: num(0, 0.9).default(0.1),
  breakStock: onOff.default(false),
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  redisPrefix: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,32}$/)
    .optional(),
});
export type FlashSaleOptions = z.infer<typeof FlashSaleOptions>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const BROKEN_STOCK_PRELOAD = join(ROOT, 'load-tests/src/commerce/broken-stock.ts');

export const flashSaleScenario = defineScenario({
  name: 'flash-sale',
  summary: 'reserve attempts/s over HTTP (autocannon) vs bare hello; oversold = 0, one reservation per key',
  benchmark: '#4',
  options: FlashSaleOptions,
  help: {
    connections: 'autocannon connections (default 100)',
    pipelining: 'requests pipelined per connection (default 10)',
    duration: 'seconds per round (default 10)',
    rounds: 'A B rounds (project, baseline) — medians over them; a fresh sale each round (default 2)',
    baseline: 'on|off: alternate with bare node:http hello (default on)',
    buyers: 'distinct guest buyers, one picked at random per attempt (default 1000)',
    units: 'units on sale per round (default 500)',
    perUserLimit: 'units one buyer may hold in the sale (default 2)',
    replayShare:
      "share of attempts that repeat the buyer's previous Idempotency-Key, same body (default 0.1)",
    breakStock:
      'on|off: run against a server started with a test-only preload that removes the stock check (proves the oversold verdict fails)',
    redisUrl: "the server's Redis, to read the sale back (known with --spawn; command A prints it)",
    redisPrefix: "the server's REDIS_PREFIX (known with --spawn; default lc)",
  },
  metrics: [
    'rps',
    'baseline_rps',
    'ratio',
    'p50',
    'p99',
    'oversold',
    'reservations',
    'errors',
    'server_cpu_s',
    'requests_per_cpu_s',
    'node_us_per_call',
    'redis_us_per_call',
    'server_side_us_per_call',
    'calls_per_node_cpu_s',
  ],
  async run(ctx, opts): Promise<ScenarioResult> {
    let broken: Endpoint | undefined;
    if (opts.breakStock) {
      ctx.progress.update('starting a server WITHOUT its stock check (test-only preload, --break-stock)');
      broken = await spawnProjectServer({
        cpu: ctx.serverCpu,
        nodeFlags: ['--import', BROKEN_STOCK_PRELOAD],
      });
    }
    const server = broken ?? ctx.project;
    const redisUrl = broken?.redisUrl ?? opts.redisUrl ?? server.redisUrl;
    const prefix = broken?.redisPrefix ?? opts.redisPrefix ?? server.redisPrefix ?? 'lc';
    if (!redisUrl) {
      throw new UsageError(
        "flash-sale reads the sale back from the server's Redis: pass --redis-url (command A prints it) or use --spawn",
      );
    }
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
    try {
      await redis.connect();
      return await storm(ctx, opts, server, redis, prefix);
    } finally {
      redis.disconnect();
      await broken?.stop();
    }
  },
});

async function storm(
  ctx: Parameters<typeof flashSaleScenario.run>[0],
  opts: FlashSaleOptions,
  server: Endpoint,
  redis: Redis,
  prefix: string,
): Promise<ScenarioResult> {
  // One live, buyers and product per server that sells: the project and, with --baseline-ref, the project at
  // that ref (spawned once and kept for every round: signing up the buyers is the slow part).
  const world = async (at: Endpoint, atRedis: Redis, atPrefix: string) => {
    const { hostToken, liveId } = await hostWithLive(at.url, 'flash-sale load test');
    const tokens = await guestTokens(at.url, opts.buyers, {
      onProgress: (n) =>
        ctx.progress.update(`flash-sale ${at.label}: ${n}/${opts.buyers} guest buyers signed up`),
    });
    const product = await addProduct(at.url, hostToken, liveId, opts.units * opts.rounds);
    return {
      endpoint: at,
      base: at.url,
      redis: atRedis,
      prefix: atPrefix,
      hostToken,
      liveId,
      tokens,
      product,
    };
  };
  const projectWorld = await world(server, redis, prefix);
  let refWorld: Awaited<ReturnType<typeof world>> | undefined;
  if (ctx.baselineRef) {
    const at = await ctx.startBaseline('ref');
    const atRedis = new Redis(at.redisUrl!, { lazyConnect: true, maxRetriesPerRequest: 2 });
    try {
      await atRedis.connect();
      refWorld = await world(at, atRedis, at.redisPrefix ?? 'lc');
    } catch (err) {
      atRedis.disconnect();
      await at.stop();
      throw err;
    }
  }
  try {
    return await stormRounds(ctx, opts, projectWorld, refWorld);
  } finally {
    if (refWorld) {
      refWorld.redis.disconnect();
      await refWorld.endpoint.stop();
    }
  }
}

interface SaleWorld {
  endpoint: Endpoint;
  base: string;
  redis: Redis;
  prefix: string;
  hostToken: string;
  liveId: string;
  tokens: string[];
  product: { id: string };
}

async function stormRounds(
  ctx: Parameters<typeof flashSaleScenario.run>[0],
  opts: FlashSaleOptions,
  projectWorld: SaleWorld,
  refWorld: SaleWorld | undefined,
): Promise<ScenarioResult> {
  const rounds: { record: RoundRecord; latency: LatencyHistogram; perSecond: number[]; tl0: number }[] = [];

  const one = async (side: Side, i: number) => {
    const w = side === 'project' ? projectWorld : refWorld;
    const endpoint = w ? w.endpoint : await ctx.startBaseline('hello');
    const label =
      side === 'project' ? (opts.breakStock ? 'project (stock check removed)' : 'project') : endpoint.label;
    try {
      const { base, hostToken, liveId, product, tokens, redis, prefix } = w ?? projectWorld;
      const sale = w
        ? await openSale(base, hostToken, liveId, product.id, {
            units: opts.units,
            perUserLimit: opts.perUserLimit,
            durationSec: Math.ceil(opts.duration) + 600,
          })
        : undefined;
      const keyPrefix = `r${i}${randomBytes(3).toString('hex')}`;
      const mix = new BuyerMix(tokens, keyPrefix, opts.replayShare);
      const tally = new OutcomeTally();
      const endBand = ctx.timeline.band(`${label} #${i + 1}`, side);
      const usage = await measureRound(endpoint);
      const tl0 = ctx.timeline.now();
      const onTick = (done: number, secs: number) =>
        ctx.progress.update(
          `flash-sale ${label} round ${i + 1} · ${secs}/${opts.duration} s · ${done} requests (${Math.round(done / secs)}/s)`,
        );
      const load = {
        connections: opts.connections,
        pipelining: opts.pipelining,
        durationS: opts.duration,
        onTick,
      };
      const result = sale
        ? await reserveCannon({
            base,
            path: `/api/lives/${liveId}/sales/${sale.id}/reservations`,
            mix,
            tally,
            ...load,
          })
        : await cannon({ url: `${endpoint.url}/`, ...load });
      const used = await usage.stop();
      const { server: su, generator: gu, serverSideCpuSeconds: sideCpu, machine } = used;
      endBand();
      const failed = result.errors + result.timeouts;
      let verdicts: Verdict[] = [];
      let oversold: number | null = null;
      let reservations: number | null = null;
      if (sale) {
        // NOTE: requests still in flight when autocannon stopped finish on the server; let them land first.
        await sleep(1000);
        const target = {
          liveId,
          saleId: sale.id,
          units: opts.units,
          perUserLimit: opts.perUserLimit,
          keyPrefix,
        };
        const state = await readSaleState(redis, prefix, target);
        verdicts = saleVerdicts(target, state, { tally, replaysSent: mix.replays, failed });
        const c = state.counters;
        oversold = Math.max(0, c.sold + c.reserved - c.initial);
        reservations = state.reservations.length;
      }
      rounds.push({
        tl0,
        latency: result.latency,
        perSecond: result.perSecond,
        record: {
          side,
          label,
          index: i,
          metrics: {
            rps: result.rps,
            requests: result.requests,
            p50: result.p50,
            p99: result.p99,
            max: result.max,
            errors: failed,
            non2xx: result.non2xx,
            oversold,
            reservations,
            replays_sent: sale ? mix.replays : null,
            server_cpu_s: sideCpu,
            server_process_cpu_s: su.cpuSeconds,
            requests_per_cpu_s: sideCpu && sideCpu > 0 ? round(result.requests / sideCpu, 0) : null,
            ...perCall(used, result.requests),
            server_peak_rss_mb: su.peakRssBytes === null ? null : round(su.peakRssBytes / 1e6, 1),
            generator_cpu_pct: gu.cpuPercent,
            server_loop_lag_p99_ms: su.loopLag?.p99Ms ?? null,
            machine_other_cpu_pct: machine.otherPct,
          },
          server: su,
          generator: gu,
          machine,
          verdicts,
          notes: sale ? [`answers: 201 × ${tally.created}, ${JSON.stringify(tally.codes())}`] : undefined,
        },
      });
      ctx.progress.log(
        `flash-sale ${label} round ${i + 1}: ${result.rps} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms` +
          (sale ? `, ${reservations} reservations, oversold ${oversold}` : '') +
          verdicts
            .filter((v) => !v.pass)
            .map((v) => `\n  FAIL ${v.name}: ${v.detail}`)
            .join(''),
      );
    } finally {
      if (!w) await endpoint.stop();
    }
  };
  for (let i = 0; i < opts.rounds && !ctx.signal.aborted; i++) {
    await one('project', i);
    await sleep(500);
    if (opts.baseline) await one('baseline', i);
    await sleep(500);
  }

  const hello = ctx.baselineRef ? `the project at ${ctx.baselineRef}` : 'bare node:http hello';
  const { of, med, sum, pooled, compare } = sides(rounds, hello);
  const rps = med('project', 'rps');
  const baseRps = med('baseline', 'rps');
  return {
    verdicts: combine(of('project').map((r) => r.record)),
    metrics: {
      rps,
      baseline_rps: baseRps,
      ratio: ratio(rps, baseRps),
      p50: med('project', 'p50'),
      p99: med('project', 'p99'),
      oversold: sum('project', 'oversold'),
      reservations: sum('project', 'reservations'),
      errors: sum('project', 'errors'),
      server_cpu_s: med('project', 'server_cpu_s'),
      requests_per_cpu_s: med('project', 'requests_per_cpu_s'),
      node_us_per_call: med('project', 'node_us_per_call'),
      redis_us_per_call: med('project', 'redis_us_per_call'),
      server_side_us_per_call: med('project', 'server_side_us_per_call'),
      calls_per_node_cpu_s: med('project', 'calls_per_node_cpu_s'),
    },
    comparisons: of('baseline').length
      ? [compare('rps'), compare('requests_per_cpu_s'), compare('calls_per_node_cpu_s')]
      : [],
    rounds: rounds.map((r) => r.record),
    charts: {
      latency: {
        title: 'request latency',
        series: [
          {
            name: 'project: reserve route',
            points: pooled('project').buckets(),
          },
          ...(of('baseline').length
            ? [
                {
                  name: hello,
                  points: pooled('baseline').buckets(),
                },
              ]
            : []),
        ],
      },
      throughput: {
        title: 'requests per second',
        unit: 'req/s',
        series: rounds.map((r) => ({
          name: `${r.record.label} #${r.record.index + 1}`,
          points: r.perSecond.map((n, s) => [round(r.tl0 + s + 0.5, 2), n] as [number, number]),
        })),
      },
    },
    notes: [
      `autocannon -c ${opts.connections} -p ${opts.pipelining} -d ${opts.duration} in the generator process; POST …/sales/:saleId/reservations {"quantity":1} with the Bearer token of one of ${opts.buyers} guest buyers picked at random, a fresh Idempotency-Key per attempt and ${Math.round(opts.replayShare * 100)} % repeating the buyer's previous key`,
      `each project round opens a fresh sale of ${opts.units} units, ${opts.perUserLimit} per buyer, opening as the round starts (the fair window, the sell-out and the refusals after it are all in the round)`,
      `verdicts read back after each round from the server's Redis (${projectWorld.prefix}:…): the sale's counters, every reservation record, every Idempotency-Key record of the round and the per-user holds; the units were allocated from the product's stock in the ledger when the sale was scheduled`,
      ...(refWorld
        ? [
            `--baseline-ref ${ctx.baselineRef}: the baseline rounds run the same storm against the project at that ref (its own Redis, live, buyers and a fresh sale per round)`,
          ]
        : []),
      ...(opts.breakStock
        ? [
            '--break-stock: the project server was started with load-tests/src/commerce/broken-stock.ts (test-only preload removing the stock check)',
          ]
        : []),
    ],
  };
}

/** One verdict per name over the rounds: it passes when it passed in every round; the detail says where not. */
function combine(records: RoundRecord[]): Verdict[] {
  if (records.length === 0) return [{ name: 'a project round ran', pass: false, detail: 'no round ran' }];
  const names = records[0]!.verdicts.map((v) => v.name);
  return names.map((name) => {
    const per = records.map((r) => ({ i: r.index, v: r.verdicts.find((v) => v.name === name)! }));
    const bad = per.filter((p) => !p.v.pass);
    return {
      name,
      pass: bad.length === 0,
      detail: (bad.length ? bad : per.slice(0, 1)).map((p) => `round ${p.i + 1}: ${p.v.detail}`).join('; '),
    };
  });
}
