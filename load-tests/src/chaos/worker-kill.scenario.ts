/**
 * `npm run load -- chaos worker`: the job worker is SIGKILLed again and again while it settles a live. The stack
 * is a private PostgreSQL ledger, Redis, an API node and the worker in its own process. Buyers reserve and pay
 * `--orders` (some holds left unpaid), the host ends the live; each time the `commerce-settlement` job is
 * (re)started by a worker, that worker gets SIGKILL a random moment later and a new one is started, `--kills`
 * times. Then the job must complete, every paid order be settled exactly once, the unpaid holds released, Redis
 * reconcile with the ledger, and each order's merchant webhook be in the outbox once. `--job-max-stalled 1`
 * (BullMQ's own default) is the proof run: the job fails after its second crash and the run FAILs.
 */
import { z } from 'zod';
import { int, num } from '../options';
import { defineScenario, type ScenarioResult } from '../scenario';
import { settleUnderFault } from './settle-under-fault';

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
  run(ctx, opts): Promise<ScenarioResult> {
    return settleUnderFault(ctx, {
      ...opts,
      name: 'chaos worker',
      faults: opts.kills,
      strikeWithinMs: opts.killWithinMs,
      async strike(stack) {
        await stack.killWorker();
        stack.startWorker();
      },
      notes: [`the job worker SIGKILLed ${opts.kills} times mid-settlement and started again each time`],
    });
  },
});
