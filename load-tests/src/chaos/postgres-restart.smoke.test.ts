/**
 * CI smoke of `chaos postgres` at tiny scale: PostgreSQL crashed the moment the job worker started the settlement
 * job (the run that once hung: the worker died of an unhandled pg 'error' event on the transaction's client,
 * see ledger/postgres-faults.test.ts), then the verdicts it shares with `chaos worker`, fed a job that failed for
 * good, an order settled twice and an outbox event written twice. The proof on a real broken run is
 * `chaos worker --job-max-stalled 1` (worker-kill.smoke.test.ts).
 */
import type { Order } from '@lc/contracts/commerce.schema';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../run';
import type { ScenarioDef } from '../scenario';
import { postgresRestartScenario } from './postgres-restart.scenario';
import { type WorkerKillRun, workerKillVerdicts } from './worker-kill-verdicts';

const none = { label: 'none', url: '', resources: { kind: 'none' as const }, stop: async () => {} };

describe('chaos postgres at tiny scale (real crash of PostgreSQL)', () => {
  it('settles every paid order exactly once although PostgreSQL crashed as the job started', async () => {
    const r = await runScenario({
      def: postgresRestartScenario as unknown as ScenarioDef,
      options: postgresRestartScenario.options.parse({
        orders: '20',
        unpaid: '2',
        restartWithinMs: '0',
        downMs: '1000',
        concurrency: '8',
        settleWait: '120',
      }),
      target: { kind: 'endpoint', endpoint: none },
      baselines: 'in-process',
    });
    expect(r.verdicts.filter((v) => !v.pass)).toEqual([]);
    expect(r.metrics).toMatchObject({ orders: 20, kills_mid_job: 1 });
  }, 420_000);
});

describe('the settle-under-fault verdicts can fail', () => {
  const order = (id: string, reservationId: string): Order =>
    ({ id, reservationId, status: 'settled' }) as unknown as Order;
  const good: WorkerKillRun = {
    kills: 1,
    killsMidJob: 1,
    job: { finished: true, attemptsMade: 2, stalled: 0 },
    paid: new Map([
      ['r1', 0],
      ['r2', 0],
    ]),
    unpaid: 1,
    orders: [order('o1', 'r1'), order('o2', 'r2')],
    stock: { initial: 3, remaining: 1, reserved: 0, sold: 2, version: 1 },
    report: { reconciliation: [{ ok: true }] } as never,
    outboxEvents: [
      { id: 'order-o1', n: 1 },
      { id: 'order-o2', n: 1 },
    ],
    failedSteps: [],
  };
  const failing = (r: WorkerKillRun) =>
    workerKillVerdicts(r)
      .filter((v) => !v.pass)
      .map((v) => v.name);

  it('passes a clean run', () => {
    expect(failing(good)).toEqual([]);
  });

  it('fails on a job that failed for good, an order twice, an outbox event twice', () => {
    expect(
      failing({ ...good, job: { finished: false, failedReason: 'x', attemptsMade: 8, stalled: 0 } }),
    ).toEqual(['the settlement job completed despite the faults']);
    expect(failing({ ...good, orders: [...good.orders, order('o3', 'r2')] })).toContain(
      'every paid order settled exactly once in the ledger',
    );
    expect(failing({ ...good, outboxEvents: [{ id: 'order-o1', n: 2 }, good.outboxEvents[1]!] })).toContain(
      "each order's merchant webhook in the outbox exactly once",
    );
  });
});
