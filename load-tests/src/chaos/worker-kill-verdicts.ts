/**
 * Verdicts of `chaos worker` and `chaos postgres`: after the job worker was SIGKILLed repeatedly (or PostgreSQL
 * crashed) during settlement, the settlement job completed and its effects are exactly once. Pure, so a test can feed it a broken run.
 */
import type { CommerceReport, Order, Sale } from '@lc/contracts/commerce.schema';
import type { Verdict } from '../scenario';

export interface WorkerKillRun {
  kills: number;
  killsMidJob: number;
  job?: { finished: boolean; failedReason?: string; attemptsMade: number; stalled: number | null };
  /** Paid reservation id → buyer. */
  paid: Map<string, number>;
  unpaid: number;
  orders: Order[];
  stock: Sale['stock'];
  report?: CommerceReport;
  /** order.settled events in the merchant outbox, with how many rows each id has. */
  outboxEvents: { id: string; n: number }[];
  failedSteps: string[];
}

export function workerKillVerdicts(r: WorkerKillRun): Verdict[] {
  const perRes = new Map<string, number>();
  for (const o of r.orders) perRes.set(o.reservationId ?? '', (perRes.get(o.reservationId ?? '') ?? 0) + 1);
  const missing = [...r.paid.keys()].filter((id) => !perRes.has(id)).length;
  const twice = [...perRes.values()].filter((n) => n > 1).length;
  const strangers = [...perRes.keys()].filter((id) => !r.paid.has(id)).length;
  const unsettled = r.orders.filter((o) => o.status !== 'settled').length;
  const rec = r.report?.reconciliation ?? [];
  const reconciled = rec.length > 0 && rec.every((x) => x.ok);
  const { initial, remaining, reserved, sold } = r.stock;
  const orderIds = new Set(r.orders.map((o) => `order-${o.id}`));
  const outboxMissing = [...orderIds].filter((id) => !r.outboxEvents.some((e) => e.id === id)).length;
  const outboxDup = r.outboxEvents.filter((e) => e.n > 1 || !orderIds.has(e.id)).length;
  return [
    {
      name: 'the fault struck mid-settlement as asked',
      pass: r.killsMidJob === r.kills,
      detail: `${r.killsMidJob} of ${r.kills} faults struck while a worker ran the settlement job`,
    },
    {
      name: 'the settlement job completed despite the faults',
      pass: Boolean(r.job?.finished) && r.failedSteps.length === 0,
      detail: r.job
        ? `${r.job.finished ? 'completed' : 'not completed'}${r.job.failedReason ? ` (last failed attempt: ${r.job.failedReason})` : ''}; attempts ${r.job.attemptsMade}, stalls ${r.job.stalled ?? '—'}; failed end-of-live jobs: ${r.failedSteps.length ? r.failedSteps.join('; ') : 'none'}`
        : 'no settlement job found',
    },
    {
      name: 'every paid order settled exactly once in the ledger',
      pass:
        missing === 0 && twice === 0 && strangers === 0 && unsettled === 0 && r.orders.length === r.paid.size,
      detail: `${r.orders.length} orders for ${r.paid.size} paid reservations: ${missing} missing, ${twice} twice, ${strangers} not ours, ${unsettled} not settled`,
    },
    {
      name: 'unpaid holds released; Redis reconciles with the ledger',
      pass: reserved === 0 && sold + remaining === initial && sold === r.paid.size && reconciled,
      detail: `sold ${sold} + reserved ${reserved} + remaining ${remaining} = ${sold + reserved + remaining} of ${initial} (${r.unpaid} unpaid holds); reconciliation ${rec.length ? (reconciled ? 'ok' : JSON.stringify(rec.map((x) => x.problems))) : 'missing (no report)'}`,
    },
    {
      name: "each order's merchant webhook in the outbox exactly once",
      pass: outboxMissing === 0 && outboxDup === 0 && r.outboxEvents.length === r.orders.length,
      detail: `${r.outboxEvents.length} order.settled events for ${r.orders.length} orders: ${outboxMissing} missing, ${outboxDup} duplicated or unknown`,
    },
  ];
}
