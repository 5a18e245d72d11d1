/**
 * The Redis ceiling (reference for benchmark #4's Lua reserve path): `redis-benchmark` (Debian's redis-tools /
 * redis-server package) against a private redis-server configured like the project's (AOF everysec, noeviction),
 * pinned to the server core, with the benchmark pinned to the generator core. Plain commands plus one EVAL of a
 * one-key Lua script, `--rounds` times, medians.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { startLocalRedis } from '../../../server/src/testkit';
import { pinPid } from '../lib/processes';
import { NO_USAGE } from '../lib/resources';
import { median } from '../lib/stats';
import { int } from '../options';
import { defineScenario, type RoundRecord, type ScenarioResult } from '../scenario';

const run = promisify(execFile);

export const RedisCeilingOptions = z.object({
  requests: int(1000, 10_000_000).default(200_000),
  clients: int(1, 10_000).default(50),
  pipeline: int(1, 1000).default(1),
  rounds: int(1, 10).default(2),
});

const TESTS = { PING_MBULK: 'ping_rps', SET: 'set_rps', GET: 'get_rps', INCR: 'incr_rps' } as const;
const LUA = "return redis.call('INCR', KEYS[1])";

export async function redisBenchmarkAvailable(): Promise<boolean> {
  try {
    await run('redis-benchmark', ['--version']);
    return true;
  } catch {
    return false;
  }
}

function parseCsv(out: string): Map<string, number> {
  const rows = new Map<string, number>();
  for (const line of out.split('\n')) {
    const m = /^"([^"]+)","([\d.]+)"/.exec(line.trim());
    if (m && m[1] !== 'test') rows.set(m[1]!, Number(m[2]));
  }
  return rows;
}

export const redisCeilingScenario = defineScenario({
  name: 'redis-ceiling',
  summary:
    'redis-benchmark (SET/GET/INCR and a one-key EVAL) against a private Redis: the ceiling for Lua paths',
  benchmark: '#4 ref',
  options: RedisCeilingOptions,
  help: {
    requests: 'requests per redis-benchmark test (default 200000)',
    clients: 'redis-benchmark parallel connections (default 50)',
    pipeline: 'redis-benchmark pipelining -P (default 1)',
    rounds: 'repetitions; medians over them (default 2)',
  },
  metrics: ['ping_rps', 'set_rps', 'get_rps', 'incr_rps', 'eval_rps'],
  needsServer: false,
  async run(ctx, opts): Promise<ScenarioResult> {
    if (!(await redisBenchmarkAvailable())) {
      throw new Error(
        'redis-benchmark is not installed (Debian: apt-get install redis-tools or redis-server)',
      );
    }
    const dataDir = mkdtempSync(join(tmpdir(), 'lc-redis-ceiling-'));
    const redis = await startLocalRedis({ dataDir, logLevel: 'warning' });
    const records: RoundRecord[] = [];
    try {
      if (ctx.serverCpu !== undefined) pinPid(redis.pid, ctx.serverCpu);
      const pin = ctx.clientCpu === undefined ? [] : ['taskset', '-c', String(ctx.clientCpu)];
      const bench = async (args: string[]) => {
        const argv = [
          ...pin,
          'redis-benchmark',
          '-p',
          String(redis.port),
          '-n',
          String(opts.requests),
          '-c',
          String(opts.clients),
          '-P',
          String(opts.pipeline),
          '--csv',
          ...args,
        ];
        const { stdout } = await run(argv[0]!, argv.slice(1), { timeout: 300_000, maxBuffer: 1 << 20 });
        return parseCsv(stdout);
      };
      for (let i = 0; i < opts.rounds && !ctx.signal.aborted; i++) {
        ctx.progress.update(`redis-ceiling round ${i + 1}/${opts.rounds} · plain commands`);
        const endBand = ctx.timeline.band(`redis #${i + 1}`, 'baseline');
        const stopTrack = ctx.timeline.track(`redis-server`, { kind: 'proc', pid: redis.pid });
        const plain = await bench(['-t', 'ping,set,get,incr']);
        ctx.progress.update(`redis-ceiling round ${i + 1}/${opts.rounds} · EVAL`);
        const lua = await bench(['EVAL', LUA, '1', 'lt:ceiling']);
        stopTrack();
        endBand();
        const metrics: Record<string, number | null> = {};
        for (const [test, key] of Object.entries(TESTS)) metrics[key] = plain.get(test) ?? null;
        metrics.eval_rps = [...lua.values()][0] ?? null;
        records.push({
          side: 'baseline',
          label: 'redis-benchmark',
          index: i,
          metrics,
          server: NO_USAGE,
          generator: NO_USAGE,
          verdicts: [],
        });
        ctx.progress.log(`redis-ceiling round ${i + 1}: ${JSON.stringify(metrics)}`);
      }
    } finally {
      await redis.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
    const med = (k: string) =>
      median(records.map((r) => r.metrics[k]).filter((v): v is number => typeof v === 'number'));
    const metrics = Object.fromEntries(
      ['ping_rps', 'set_rps', 'get_rps', 'incr_rps', 'eval_rps'].map((k) => [k, med(k)]),
    );
    return {
      verdicts: [
        {
          name: 'every test reported a rate',
          pass: records.length > 0 && Object.values(metrics).every((v) => v !== null && v > 0),
          detail: JSON.stringify(metrics),
        },
      ],
      metrics,
      comparisons: [],
      rounds: records,
      charts: {},
      notes: [
        `redis-benchmark -n ${opts.requests} -c ${opts.clients} -P ${opts.pipeline}; EVAL "${LUA}" 1 lt:ceiling; Redis with AOF everysec, noeviction`,
      ],
    };
  },
});
