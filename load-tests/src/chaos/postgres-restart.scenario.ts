/**
 * `npm run load -- chaos postgres`: PostgreSQL crashes (`pg_ctl stop -m immediate`: no checkpoint, crash
 * recovery at the next start) while the job worker settles a live, and comes back `--down-ms` later. The
 * settlement job's ledger calls fail, the job is retried (attempts with backoff) and must settle exactly once:
 * same stack and verdicts as `chaos worker` (settle-under-fault.ts, worker-kill-verdicts.ts).
 */
import { z } from 'zod';
import { int, num } from '../options';
import { defineScenario, type ScenarioResult } from '../scenario';
import { settleUnderFault } from './settle-under-fault';

export const PostgresRestartOptions = z.object({
  orders: int(1, 100_000).default(5000),
  unpaid: int(0, 10_000).default(100),
  buyers: int(1, 20_000).optional(),
  restarts: int(1, 20).default(1),
  downMs: int(0, 120_000).default(2000),
  restartWithinMs: int(0, 10_000).default(200),
  concurrency: int(1, 1000).default(64),
  settleWait: num(10, 3600).default(180),
});
export type PostgresRestartOptions = z.infer<typeof PostgresRestartOptions>;

export const postgresRestartScenario = defineScenario({
  name: 'chaos-postgres',
  summary: 'crash and restart PostgreSQL while a live settles: the job retries and settles exactly once',
  benchmark: '#11',
  options: PostgresRestartOptions,
  help: {
    orders: 'paid orders to settle (default 5000)',
    unpaid: 'holds left unpaid, released by settlement (default 100)',
    buyers: 'guest buyers (default (orders + unpaid) / 50, at most 100 units each)',
    restarts: 'times PostgreSQL crashes while the settlement job runs (default 1)',
    downMs: 'how long PostgreSQL stays down each time (default 2000)',
    restartWithinMs: 'each crash comes a random 0..N ms after a worker (re)started the job (default 200)',
    concurrency: 'HTTP requests in flight while buying (default 64)',
    settleWait: 'seconds to wait for the settlement job after the last crash (default 180)',
  },
  metrics: ['orders', 'kills_mid_job', 'end_to_settled_ms', 'job_starts'],
  needsServer: false,
  run(ctx, opts): Promise<ScenarioResult> {
    return settleUnderFault(ctx, {
      ...opts,
      name: 'chaos postgres',
      lockMs: 2000,
      faults: opts.restarts,
      strikeWithinMs: opts.restartWithinMs,
      strike: (stack) => stack.restartPostgres(opts.downMs),
      notes: [
        `PostgreSQL crashed (immediate stop) ${opts.restarts} time(s) mid-settlement, down ${opts.downMs} ms each`,
      ],
    });
  },
});
