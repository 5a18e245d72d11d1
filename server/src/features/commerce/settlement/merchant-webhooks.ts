/**
 * Signed merchant webhooks: an outbox table (`merchant_webhooks`, one row per event id) and a BullMQ queue
 * that delivers each undelivered row with retries and exponential backoff. A row is marked delivered on the
 * first 2xx and never sent again, so the receiver sees each event id delivered once (it still deduplicates
 * by `X-Webhook-Id` for the case where its 2xx was lost in transit).
 */
import { type ConnectionOptions, Queue, Worker } from 'bullmq';
import { z } from 'zod';
import type { CommerceReport } from '../../../contracts/commerce.schema';
import type { Db } from '../../../ledger/db';
import { signatureHeader } from '../payments/webhook-signature';

export const MERCHANT_QUEUE = 'merchant-webhooks';
export const WEBHOOK_ID_HEADER = 'x-webhook-id';
export const WEBHOOK_SIGNATURE_HEADER = 'x-webhook-signature';

export const DeliverPayload = z.object({ eventId: z.string().min(1).max(200) });
/** BullMQ refuses ':' in custom ids; event ids use '-' only. */
export const deliveryJobId = (eventId: string) => `wh-${eventId}`;

type Log = { info(o: object, m?: string): void; warn(o: object, m?: string): void };

export interface MerchantWebhookSettings {
  url?: string;
  secret: string;
  attempts: number;
  backoffMs: number;
}

export function startMerchantWebhooks(deps: {
  connection: ConnectionOptions;
  prefix: string;
  db: Db;
  settings: MerchantWebhookSettings;
  log: Log;
}) {
  const { db, settings } = deps;
  const queue = new Queue(MERCHANT_QUEUE, { connection: deps.connection, prefix: deps.prefix });

  const deliver = async (eventId: string): Promise<'delivered' | 'already'> => {
    const { rows } = await db.query<{
      event_id: string;
      live_id: string;
      type: string;
      payload: unknown;
      created_at: Date;
      delivered_at: Date | null;
    }>(
      'SELECT event_id, live_id, type, payload, created_at, delivered_at FROM merchant_webhooks WHERE event_id = $1',
      [eventId],
    );
    const row = rows[0];
    if (!row || row.delivered_at) return 'already';
    if (!settings.url) throw new Error('MERCHANT_WEBHOOK_URL is not set');
    const body = JSON.stringify({
      id: row.event_id,
      type: row.type,
      liveId: row.live_id,
      createdAt: row.created_at.toISOString(),
      data: row.payload,
    });
    let error: string | null = null;
    try {
      const res = await fetch(settings.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [WEBHOOK_ID_HEADER]: row.event_id,
          [WEBHOOK_SIGNATURE_HEADER]: signatureHeader(settings.secret, body),
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      if (!res.ok) error = `HTTP ${res.status}`;
    } catch (err) {
      error = (err as Error).message;
    }
    await db.query(
      `UPDATE merchant_webhooks SET attempts = attempts + 1, last_error = $2,
         delivered_at = CASE WHEN $2::text IS NULL THEN now() ELSE delivered_at END
       WHERE event_id = $1`,
      [eventId, error],
    );
    if (error) throw new Error(`merchant webhook ${eventId}: ${error}`);
    return 'delivered';
  };

  const worker = new Worker(MERCHANT_QUEUE, async (job) => deliver(DeliverPayload.parse(job.data).eventId), {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: 8,
  });
  worker.on('failed', (job, err) =>
    deps.log.warn(
      { jobId: job?.id, attempts: job?.attemptsMade, err: err.message },
      'merchant webhook attempt failed',
    ),
  );

  return {
    queue,
    worker,
    deliver,
    /** Enqueues every undelivered event of a live (deterministic job ids: enqueueing twice is a no-op). */
    async enqueueLive(liveId: string): Promise<number> {
      if (!settings.url) return 0;
      const { rows } = await db.query<{ event_id: string }>(
        'SELECT event_id FROM merchant_webhooks WHERE live_id = $1 AND delivered_at IS NULL ORDER BY created_at, event_id',
        [liveId],
      );
      for (let i = 0; i < rows.length; i += 500) {
        await queue.addBulk(
          rows.slice(i, i + 500).map((r) => ({
            name: 'deliver',
            data: { eventId: r.event_id },
            opts: {
              jobId: deliveryJobId(r.event_id),
              attempts: settings.attempts,
              backoff: { type: 'exponential', delay: settings.backoffMs },
              removeOnComplete: { age: 7 * 24 * 3600 },
              removeOnFail: { age: 30 * 24 * 3600 },
            },
          })),
        );
      }
      // Deliveries that used up their attempts (receiver down for long) start over when settlement runs again.
      const { rows: exhausted } = await db.query<{ event_id: string }>(
        `SELECT event_id FROM merchant_webhooks WHERE live_id = $1 AND delivered_at IS NULL AND attempts >= $2`,
        [liveId, settings.attempts],
      );
      for (const r of exhausted) {
        const job = await queue.getJob(deliveryJobId(r.event_id));
        if (job && (await job.getState()) === 'failed')
          await job.retry('failed', { resetAttemptsMade: true });
      }
      return rows.length;
    },
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
export type MerchantWebhooks = ReturnType<typeof startMerchantWebhooks>;

/**
 * Outbox rows for every sale order of the live and for its report (event ids are deterministic: written once).
 * Lottery prize orders (kind 'prize', issued when a winner claims, usually after settlement) are not sales.
 */
export async function writeOutbox(db: Db, liveId: string, report: CommerceReport): Promise<void> {
  await db.query(
    `INSERT INTO merchant_webhooks (event_id, live_id, type, payload)
     SELECT 'order-' || o.id, o.live_id, 'order.settled',
       jsonb_build_object('orderId', o.id, 'reservationId', o.reservation_id, 'paymentId', o.payment_id,
         'saleId', o.sale_id, 'productId', o.product_id, 'userId', o.user_id, 'quantity', o.quantity,
         'unitPrice', o.unit_price, 'subtotal', o.subtotal, 'discount', o.discount, 'total', o.total,
         'currency', o.currency, 'couponId', o.coupon_id)
     FROM orders o WHERE o.live_id = $1 AND o.kind = 'sale'
     ON CONFLICT (event_id) DO NOTHING`,
    [liveId],
  );
  await db.query(
    `INSERT INTO merchant_webhooks (event_id, live_id, type, payload) VALUES ($1, $2, 'live.settled', $3)
     ON CONFLICT (event_id) DO NOTHING`,
    [
      `live-${liveId}-settled`,
      liveId,
      JSON.stringify({
        orders: report.orders,
        units: report.units,
        buyers: report.buyers,
        uniqueViewers: report.uniqueViewers,
        conversion: report.conversion,
        gmv: report.gmv,
        couponsRedeemed: report.couponsRedeemed,
        reconciled: report.reconciliation.every((r) => r.ok),
      }),
    ],
  );
}
