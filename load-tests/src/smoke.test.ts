/**
 * CI smoke of the load-test kit: every available scenario for a couple of seconds at tiny scale against a real
 * server (test/server.ts), asserting the correctness verdicts only — speed is for benchmarks, never for tests.
 * Then proof that the verdicts can fail: a gap checker fed a broken stream, and a fan-out against a server that
 * drops messages.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LotteryAudit } from '@lc/contracts/lottery.schema';
import { commitmentOf, draw } from '@lc/contracts/lottery-draw';
import { nodeDrawHash } from '@lc/contracts/node-draw-hash';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMediaServer } from '../../test/media';
import { startServer, type TestServer } from '../../test/server';
import { auctionStormScenario } from './auction/auction-storm.scenario';
import { startPlainSocketIo } from './baselines/plain-socketio';
import { parseCommandLine } from './cli';
import { flashSaleScenario } from './commerce/flash-sale.scenario';
import { redisBenchmarkAvailable, redisCeilingScenario } from './http/redis-ceiling.scenario';
import { snapshotScenario } from './http/snapshot.scenario';
import type { Endpoint } from './lib/processes';
import { silentProgress } from './lib/progress';
import { writeReports } from './lib/report';
import { Timeline } from './lib/resources';
import { Threshold } from './lib/thresholds';
import { drawVerdicts, tamper } from './lottery/draw-verdicts';
import { lotteryStormScenario } from './lottery/lottery-storm.scenario';
import { mediaViewersScenario, stepPasses } from './media/viewers.scenario';
import { UsageError } from './options';
import { FanoutOptions, fanoutRound, fanoutScenario } from './realtime/fanout.scenario';
import { GapChecker, swarmVerdict } from './realtime/gap-checker';
import { joinBurstScenario } from './realtime/join-burst.scenario';
import { likeStormScenario } from './realtime/like-storm.scenario';
import { plainSocketIoTarget } from './realtime/room-targets';
import { swarmMemoryScenario } from './realtime/swarm-memory.scenario';
import { type RunReport, runScenario } from './run';
import type { ScenarioDef } from './scenario';

const hasRedisBenchmark = await redisBenchmarkAvailable();
const ev = (seq: number) => ({ seq, type: 'live:announcement', at: 0, data: { text: `m${seq}` } });

describe('load-test scenarios at tiny scale (verdicts only)', () => {
  let s: TestServer;
  let project: Endpoint;
  let out: string;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'lc-load-smoke-'));
    s = await startServer();
    project = {
      label: 'project',
      url: s.url,
      resources: { kind: 'metrics', url: s.url },
      metricsUrl: s.url,
      stop: async () => {},
    };
  });
  afterAll(async () => {
    await s?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  const run = (
    def: ScenarioDef,
    options: Record<string, string>,
    thresholds: string[] = [],
  ): Promise<RunReport> =>
    runScenario({
      def,
      options: def.options.parse(options),
      target: { kind: 'endpoint', endpoint: project },
      baselines: 'in-process',
      thresholds: thresholds.map((t) => Threshold.parse(t)),
    });
  const failed = (r: RunReport) => r.verdicts.filter((v) => !v.pass);

  it('fanout: every viewer applies every seq exactly once, alternating with the plain Socket.IO baseline', async () => {
    const r = await run(fanoutScenario as unknown as ScenarioDef, {
      viewers: '8',
      rate: '40',
      duration: '2',
      payload: '64',
      publisher: 'announce',
      rounds: '1',
      drain: '5',
    });
    expect(failed(r)).toEqual([]);
    expect(r.pass).toBe(true);
    expect(r.metrics).toMatchObject({ missing: 0, duplicates: 0, join_failures: 0, publish_errors: 0 });
    expect(r.rounds.map((x) => x.label)).toEqual(['project', 'baseline:plain-socketio']);
    expect(r.rounds.every((x) => x.metrics.delivered === 8 * 80)).toBe(true);
    expect(r.comparisons.find((c) => c.metric === 'delivered_per_s')?.ratio).toBeGreaterThan(0);
    const files = writeReports(r, out);
    expect(JSON.parse(readFileSync(files.json, 'utf8')).scenario).toBe('fanout');
    const html = readFileSync(files.html, 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('no gaps');
  });

  it('fanout with viewers commenting (comment:send → comment:new) passes the same verdicts, against the baseline too', async () => {
    const r = await run(fanoutScenario as unknown as ScenarioDef, {
      viewers: '10',
      rate: '5',
      duration: '2',
      payload: '120',
      publisher: 'comment',
      rounds: '1',
    });
    expect(failed(r)).toEqual([]);
    expect(r.rounds.map((x) => [x.label, x.metrics.delivered])).toEqual([
      ['project', 100],
      ['baseline:plain-socketio', 100],
    ]);
  });

  it('fanout with socket.io-client viewers passes the same verdicts', async () => {
    const r = await run(fanoutScenario as unknown as ScenarioDef, {
      viewers: '5',
      rate: '20',
      duration: '1',
      payload: '300',
      publisher: 'announce',
      client: 'sio',
      rounds: '1',
      baseline: 'off',
    });
    expect(failed(r)).toEqual([]);
    expect(r.rounds).toHaveLength(1);
  });

  it('join-burst: all join, presence online == N, and back to 0 after they leave', async () => {
    const r = await run(joinBurstScenario as unknown as ScenarioDef, { viewers: '30', window: '1' });
    expect(failed(r)).toEqual([]);
    expect(r.metrics).toMatchObject({ failures: 0, online: 30 });
  });

  it('like-storm: the final total equals the accepted taps, each crossed goal fires once, no gap', async () => {
    const r = await run(likeStormScenario as unknown as ScenarioDef, {
      viewers: '20',
      taps: '50',
      duration: '2',
      redisUrl: s.env.REDIS_URL!,
      // NOTE: the suite's Redis is shared by every test file running in parallel, so its INCRBY count is not
      // this room's alone; the write bound is measured for real by the benchmark (its own Redis).
      maxWritesPerS: '10000',
    });
    expect(failed(r)).toEqual([]);
    expect(r.metrics.final_total).toBe(r.metrics.accepted_sum);
    expect(r.metrics.final_total).toBeGreaterThan(0);
  });

  it('lottery-storm: K distinct winners among the entrants, entrants == acked entries, verifier MATCH, tampered MISMATCH', async () => {
    const r = await run(lotteryStormScenario as unknown as ScenarioDef, {
      viewers: '24',
      winners: '3',
      keywordShare: '0.5',
    });
    expect(failed(r)).toEqual([]);
    expect(r.metrics.entries).toBe(24);
    const names = r.verdicts.map((v) => v.name);
    for (const mode of ['explicit', 'keyword']) {
      expect(names).toContain(`${mode}: verifier reproduces the winners (MATCH)`);
      expect(names).toContain(`${mode}: a tampered audit gives MISMATCH`);
    }
  }, 60_000);

  it('auction-storm: increments, end rule, no late bid, final = highest accepted, one hammer and one hold, no gap', async () => {
    const r = await run(auctionStormScenario as unknown as ScenarioDef, { bidders: '12', window: '2' });
    expect(failed(r)).toEqual([]);
    expect(r.metrics.accepted).toBeGreaterThan(0);
  }, 60_000);

  it('http-snapshot: the route answers the contract and no request fails, alternating with bare hello', async () => {
    const r = await run(snapshotScenario as unknown as ScenarioDef, {
      connections: '4',
      pipelining: '1',
      duration: '1',
      rounds: '1',
    });
    expect(failed(r)).toEqual([]);
    expect(r.rounds.map((x) => x.side)).toEqual(['project', 'baseline']);
    expect(r.metrics.errors).toBe(0);
    expect(r.metrics.non2xx).toBe(0);
  });

  it('flash-sale: oversold 0, stock adds up, one reservation per key, per-user limit, alternating with bare hello', async () => {
    const r = await run(flashSaleScenario as unknown as ScenarioDef, {
      connections: '4',
      pipelining: '2',
      duration: '1',
      rounds: '1',
      buyers: '12',
      units: '10',
      perUserLimit: '2',
      replayShare: '0.3',
      redisUrl: s.env.REDIS_URL!,
      redisPrefix: s.env.REDIS_PREFIX!,
    });
    expect(failed(r)).toEqual([]);
    expect(r.verdicts.map((v) => v.name)).toEqual([
      'oversold = 0',
      'sold + reserved + remaining = initial',
      'one reservation per Idempotency-Key',
      'per-user limit (2) respected',
      'only expected answers',
    ]);
    expect(r.metrics).toMatchObject({ oversold: 0, reservations: 10, errors: 0 });
    expect(r.rounds.map((x) => x.side)).toEqual(['project', 'baseline']);
  });

  it('swarm-memory: both client kinds connect and join in their probe processes', async () => {
    const r = await run(swarmMemoryScenario as unknown as ScenarioDef, { clients: '10', rounds: '1' });
    expect(failed(r)).toEqual([]);
    expect(r.rounds.map((x) => x.label)).toEqual(['wire (raw ws)', 'socket.io-client']);
  }, 60_000);

  it.runIf(hasRedisBenchmark)('redis-ceiling: redis-benchmark reports a rate for every test', async () => {
    const r = await run(redisCeilingScenario as unknown as ScenarioDef, {
      requests: '2000',
      clients: '5',
      rounds: '1',
    });
    expect(failed(r)).toEqual([]);
  });

  it('a threshold that is not met fails the run', async () => {
    const r = await run(joinBurstScenario as unknown as ScenarioDef, { viewers: '3', window: '0' }, [
      'failures==0',
      'p99<0',
    ]);
    expect(failed(r)).toEqual([]);
    expect(r.thresholds.map((t) => [t.expr, t.pass])).toEqual([
      ['failures==0', true],
      ['p99<0', false],
    ]);
    expect(r.pass).toBe(false);
  });
});

describe('the verdicts can fail', () => {
  it('the gap checker reports a stream with a missing seq', () => {
    const c = new GapChecker(10);
    c.accept([ev(9), ev(10), ev(11), ev(12)]); // 9 and 10 are the snapshot's, not duplicates
    c.accept([ev(14), ev(15)]);
    expect(c.verdict(15)).toEqual({ missing: 3, duplicates: 0, waiting: 2, ok: false });
    const v = swarmVerdict([c, new GapChecker(15)], 15);
    expect(v).toMatchObject({ ok: false, viewersWithGaps: 1, missing: 3 });
    expect(v.detail).toMatch(/1 of 2 viewers saw a gap/);
  });

  it('the gap checker reports a duplicate and a stream that stops short', () => {
    const dup = new GapChecker(0);
    dup.accept([ev(1), ev(2)]);
    dup.accept([ev(2), ev(3)]);
    expect(dup.verdict(3)).toEqual({ missing: 0, duplicates: 1, waiting: 0, ok: false });
    const short = new GapChecker(0);
    short.accept([ev(1), ev(2)]);
    expect(short.verdict(4)).toMatchObject({ missing: 2, ok: false });
    const good = new GapChecker(0);
    good.accept([ev(2), ev(1), ev(3)]);
    expect(good.verdict(3).ok).toBe(true);
  });

  it('the lottery draw verdicts fail on a tampered audit, a stranger among the winners and a lost entry', () => {
    const seed = 'ab'.repeat(32);
    const entrants = Array.from({ length: 20 }, (_, i) => `u${i}`);
    const d = draw({ seed, entrants, k: 3, runnersUp: 3 }, nodeDrawHash);
    const audit = {
      lotteryId: 'l',
      liveId: 'x',
      algorithm: 'hmac-sha256-min-k/v1',
      rules: {},
      prize: { kind: 'coupon', couponId: 'c' },
      commitment: commitmentOf(seed, nodeDrawHash),
      seed,
      entrants: d.entrants,
      entrantsHash: d.entrantsHash,
      k: 3,
      runnersUpCount: 3,
      winners: d.winners,
      runnersUp: d.runnersUp,
      drawnAt: 0,
    };
    const failing = (raw: unknown, acked: string[]) =>
      drawVerdicts('t', raw, { k: 3, acked: new Set(acked) })
        .verdicts.filter((v) => !v.pass)
        .map((v) => v.name);
    expect(failing(audit, entrants)).toEqual([]);
    expect(failing(tamper(LotteryAudit.parse(audit)), entrants)).toContain(
      't: verifier reproduces the winners (MATCH)',
    );
    expect(failing({ ...audit, winners: ['u0', 'u1', 'zz'] }, entrants)).toEqual([
      't: winners all among the entrants',
      't: verifier reproduces the winners (MATCH)',
    ]);
    expect(failing(audit, entrants.slice(1))).toContain('t: entrant count == successful entries');
  });

  it('a fan-out against a server that drops every 5th message fails the no-gap verdict', async () => {
    const broken = await startPlainSocketIo({ dropEvery: 5 });
    try {
      const endpoint: Endpoint = {
        label: 'broken',
        url: broken.url,
        resources: { kind: 'none' },
        stop: broken.close,
      };
      const round = await fanoutRound(
        { progress: silentProgress, timeline: new Timeline(), signal: new AbortController().signal },
        plainSocketIoTarget(endpoint, 'project'),
        FanoutOptions.parse({ viewers: '4', rate: '50', duration: '1', payload: '64', drain: '1' }),
        0,
      );
      expect(round.verdict.ok).toBe(false);
      expect(round.verdict.viewersWithGaps).toBe(4);
      expect(round.record.verdicts.find((v) => v.name === 'no gaps')).toMatchObject({ pass: false });
      expect(round.record.verdicts.find((v) => v.name === 'no gaps')?.detail).toMatch(
        /4 of 4 viewers saw a gap/,
      );
    } finally {
      await broken.close();
    }
  });
});

describe('the flash-sale verdicts can fail', () => {
  it('a server started without its stock check (test-only preload) fails with an oversold verdict', async () => {
    const none: Endpoint = { label: 'none', url: '', resources: { kind: 'none' }, stop: async () => {} };
    const r = await runScenario({
      def: flashSaleScenario as unknown as ScenarioDef,
      options: flashSaleScenario.options.parse({
        connections: '4',
        pipelining: '2',
        duration: '2',
        rounds: '1',
        baseline: 'off',
        buyers: '12',
        units: '10',
        perUserLimit: '2',
        breakStock: 'on',
      }),
      target: { kind: 'endpoint', endpoint: none },
      baselines: 'in-process',
    });
    expect(r.pass).toBe(false);
    const oversold = r.verdicts.find((v) => v.name === 'oversold = 0');
    expect(oversold?.pass).toBe(false);
    // 12 buyers × 2 each = 24 units held of 10: the per-user limit still holds, the stock does not.
    expect(oversold?.detail).toMatch(/OVERSOLD by 14 units/);
    expect(r.verdicts.find((v) => v.name === 'per-user limit (2) respected')?.pass).toBe(true);
    expect(r.metrics.oversold).toBe(14);
  }, 120_000);
});

describe('command line', () => {
  it('rejects bad options with a message naming each option', () => {
    const err = (() => {
      try {
        parseCommandLine(['fanout', '--viewers', 'many', '--payload', '900', '--threshold', 'p98<1']);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toMatch(/--viewers: must be a whole number/);
    expect(err?.message).toMatch(/--payload: the comment publisher accepts at most 200 characters/);
    expect(err?.message).toMatch(/--threshold: unknown metric "p98"/);
    expect(() => parseCommandLine(['fanout', '--nope', '1'])).toThrow(/unknown option --nope/);
    expect(() => parseCommandLine(['lottery-storm', '--keyword-share', '2'])).toThrow(/--keyword-share/);
    expect(() => parseCommandLine(['fanout', '--publisher', 'shout'])).toThrow(
      /must be one of: comment, announce/,
    );
  });

  it('parses a valid command with defaults', () => {
    const cmd = parseCommandLine(['fanout', '--viewers=20', '--threshold', 'p99<250', '--spawn']);
    expect(cmd.kind).toBe('run');
    if (cmd.kind !== 'run') return;
    expect(cmd.options).toMatchObject({
      viewers: 20,
      rate: 100,
      payload: 200,
      publisher: 'comment',
      client: 'wire',
      baseline: true,
    });
    expect(cmd.common).toMatchObject({ spawn: true, threshold: [{ metric: 'p99', op: '<', value: 250 }] });
    expect(existsSync(cmd.common.out) || cmd.common.out === 'load-tests/reports').toBe(true);
  });
});

describe('media-viewers at tiny scale (real mediasoup workers, msc-node viewers)', () => {
  let s: TestServer;
  beforeAll(async () => {
    // Two workers and two consumers per router: the four viewers spread over a router piped to the second worker.
    s = await startMediaServer([45400, 45599], { MEDIA_CONSUMERS_PER_ROUTER: '2' });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('every viewer receives the publisher’s RTP, counted per viewer, on both workers', async () => {
    const project: Endpoint = {
      label: 'project',
      url: s.url,
      resources: { kind: 'metrics', url: s.url },
      metricsUrl: s.url,
      stop: async () => {},
    };
    const def = mediaViewersScenario as unknown as ScenarioDef;
    const r = await runScenario({
      def,
      // NOTE: a loose loss bound — this checks the verdicts and the counting, not the quality (that's the benchmark).
      options: def.options.parse({ viewers: '4', step: '2', window: '2', grace: '1', maxLoss: '5' }),
      target: { kind: 'endpoint', endpoint: project },
    });
    expect(r.verdicts.filter((v) => !v.pass)).toEqual([]);
    expect(r.rounds.map((x) => x.metrics.viewers)).toEqual([2, 4]);
    const steps = (
      r.details as { steps: Array<{ workers: Array<{ consumers: number }>; workerSentPct: number }> }
    ).steps;
    // The last step has consumers on both workers (origin and piped router), and the worker sent what it got.
    expect(steps[1]!.workers.map((w) => w.consumers > 0)).toEqual([true, true]);
    expect(steps[1]!.workerSentPct).toBeGreaterThan(90);
    expect(r.metrics.max_viewers_under_loss).toBe(4);
  }, 120_000);

  it('a step fails when a viewer got nothing or the loss reaches the bound', () => {
    expect(stepPasses({ viewersSilent: 0, lossPct: 0.5 }, 1)).toBe(true);
    expect(stepPasses({ viewersSilent: 1, lossPct: 0 }, 1)).toBe(false);
    expect(stepPasses({ viewersSilent: 0, lossPct: 1 }, 1)).toBe(false);
  });
});
