/**
 * The verdicts `chaos postgres` shares with `chaos worker`, fed a job that failed for good, an order settled twice
 * and an outbox event written twice. The proof on a real broken run is `chaos worker --job-max-stalled 1`
 * (worker-kill.smoke.test.ts). NOTE: no tiny real run of `chaos postgres` here yet: one run with the crash at the
 * moment the job started (--restart-within-ms 0) saw the job neither complete nor fail within 120 s (attempts 0)
 * on a machine at load 20 — not yet explained (the ledger pool sets no connection or statement timeout).
 */
import type { Order } from '@lc/contracts/commerce.schema';
import { describe, expect, it } from 'vitest';
import { type WorkerKillRun, workerKillVerdicts } from './worker-kill-verdicts';

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
