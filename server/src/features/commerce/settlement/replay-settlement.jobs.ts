/**
 * Step `replay-settlement`: settles the orders bought from a live's replay (features/replay), which arrive
 * after the live's own settlement ran. It runs at the end of the live like every step (nothing to do then)
 * and again as a delayed job `replay-settlement-<liveId>-<at>` that the replay queues for the minute of each
 * purchase, once its holds are certainly paid or released. Each run: every paid replay reservation has its
 * order (repairing a lost ledger write), paid replay orders → settled with their `order.settled` outbox rows
 * in one statement, then delivery. Idempotent; it never touches the live's own orders (the live's settlement
 * settles `source = 'live'` only), so no order is settled twice.
 */
import { randomUUID } from 'node:crypto';
import type { EndOfLiveStep } from '../../../jobs/end-of-live';
import { createOrdersRepo } from '../../../ledger/orders.repo';
import { createReplaySalesRepo } from '../../../ledger/replay-sales.repo';
import { type MerchantWebhooks, settleOrders } from './merchant-webhooks.jobs';
import { scanReservations } from './settlement.jobs';

export const REPLAY_SETTLEMENT_STEP = 'replay-settlement';

export function replaySettlementStep(deps: {
  webhooks?: Pick<MerchantWebhooks, 'enqueueLive'>;
}): EndOfLiveStep {
  return {
    name: REPLAY_SETTLEMENT_STEP,
    async run(ctx) {
      const { db, liveId, log } = ctx;
      const saleIds = new Set(await createReplaySalesRepo(db).saleIds(liveId));
      if (saleIds.size === 0) return { sales: 0, repairedOrders: 0, settled: 0, webhooksEnqueued: 0 };
      const paid = (await scanReservations(ctx)).filter((r) => r.status === 'paid' && saleIds.has(r.saleId));
      const { rows: lost } = await db.query<{ id: string }>(
        `SELECT r.id FROM unnest($1::uuid[]) AS r(id)
         WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.reservation_id = r.id)`,
        [paid.map((r) => r.id)],
      );
      const lostIds = new Set(lost.map((r) => r.id));
      const orders = createOrdersRepo(db);
      const missing = paid.filter((r) => lostIds.has(r.id));
      for (const r of missing) await orders.recordPaid(r, null, randomUUID());
      if (missing.length > 0)
        log.warn({ liveId, repaired: missing.length }, 'paid replay reservations had no order');
      const settled = await settleOrders(db, liveId, 'replay');
      const enqueued = settled.events > 0 ? ((await deps.webhooks?.enqueueLive(liveId)) ?? 0) : 0;
      return {
        sales: saleIds.size,
        repairedOrders: missing.length,
        settled: settled.settled,
        webhooksEnqueued: enqueued,
      };
    },
  };
}
