/**
 * Signed merchant webhooks: an outbox table (`merchant_webhooks`, one row per event id) and a BullMQ queue
 * with one delivery job per live (`wh-live-<liveId>`) that walks the live's undelivered rows, posts each with
 * bounded concurrency and records the outcomes; when some failed, the job throws and BullMQ retries it with
 * exponential backoff, sending only what is still undelivered. A row is marked delivered on its first 2xx and
 * never sent again, so the receiver sees each event id delivered once (it still deduplicates by
 * `X-Webhook-Id` for a 2xx lost in transit, or a worker that died before recording a page).
 * The live's summary (`live.settled`) goes out only after every other event of the live was acknowledged.
 * NOTE: one job per live, not one per event: enqueueing 10k BullMQ jobs cost settlement more CPU than
 * settling 10k orders, and one active job per live means two workers never send the same event at once.
 */

import type { CommerceReport } from '@lc/contracts/commerce.schema';
import { WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER } from '@lc/contracts/merchant-webhook.schema';
import { type ConnectionOptions, Queue, Worker } from 'bullmq';
import { z } from 'zod';
import type { Db } from '../../../ledger/db';
import { signatureHeader } from '../payments/webhook-signature';
import { createPoster } from './http-post';

export const MERCHANT_QUEUE = 'merchant-webhooks.jobs';
const SUMMARY_TYPE = 'live.settled';
/** Rows read (and outcomes recorded) per page; requests in flight per live. */
const PAGE = 200;
const SENDERS = 16;

export const DeliverPayload = z.object({ liveId: z.string().uuid() });
export const deliveryJobId = (liveId: string) => `wh-live-${liveId}`;

type Log = { info(o: object, m?: string): void; warn(o: object, m?: string): void };

export interface MerchantWebhookSettings {
  url?: string;
  secret: string;
  attempts: number;
  backoffMs: number;
}

interface OutboxRow {
  event_id: string;
  live_id: string;
  type: string;
  payload: unknown;
  created_at: Date;
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
  const poster = createPoster({ maxSockets: SENDERS, timeoutMs: 10_000 });

  /** One POST; the error text, or null on a 2xx. */
  const send = async (url: string, row: OutboxRow): Promise<string | null> => {
    const body = JSON.stringify({
      id: row.event_id,
      type: row.type,
      liveId: row.live_id,
      createdAt: row.created_at.toISOString(),
      data: row.payload,
    });
    try {
      const status = await poster.post(
        url,
        {
          'content-type': 'application/json',
          [WEBHOOK_ID_HEADER]: row.event_id,
          [WEBHOOK_SIGNATURE_HEADER]: signatureHeader(settings.secret, body),
        },
        body,
      );
      return status >= 200 && status < 300 ? null : `HTTP ${status}`;
    } catch (err) {
      return (err as Error).message;
    }
  };

  /** Sends one page and records its outcomes (two statements, not one per event); returns the failures. */
  const sendPage = async (url: string, rows: OutboxRow[]): Promise<Array<[string, string]>> => {
    const outcomes: Array<[string, string | null]> = new Array(rows.length);
    let next = 0;
    const sender = async () => {
      for (let i = next++; i < rows.length; i = next++) {
        outcomes[i] = [rows[i]!.event_id, await send(url, rows[i]!)];
      }
    };
    await Promise.all(Array.from({ length: Math.min(SENDERS, rows.length) }, sender));
    const ok = outcomes.filter(([, e]) => e === null).map(([id]) => id);
    const failed = outcomes.filter((x): x is [string, string] => x[1] !== null);
    if (ok.length > 0) {
      await db.query(
        `UPDATE merchant_webhooks SET attempts = attempts + 1, last_error = NULL, delivered_at = now()
         WHERE event_id = ANY($1::text[]) AND delivered_at IS NULL`,
        [ok],
      );
    }
    if (failed.length > 0) {
      await db.query(
        `UPDATE merchant_webhooks m SET attempts = m.attempts + 1, last_error = f.err
         FROM unnest($1::text[], $2::text[]) AS f(id, err) WHERE m.event_id = f.id`,
        [failed.map((f) => f[0]), failed.map((f) => f[1])],
      );
    }
    return failed;
  };

  /** Every undelivered event of a live: the others first, the summary once they all went through. */
  const deliverLive = async (liveId: string): Promise<{ delivered: number }> => {
    if (!settings.url) throw new Error('MERCHANT_WEBHOOK_URL is not set');
    let delivered = 0;
    const failed: Array<[string, string]> = [];
    for (const summary of [false, true]) {
      if (summary && failed.length > 0) break;
      let after = '';
      for (;;) {
        const { rows } = await db.query<OutboxRow>(
          `SELECT event_id, live_id, type, payload, created_at FROM merchant_webhooks
           WHERE live_id = $1 AND delivered_at IS NULL AND event_id > $2 AND (type = $3) = $4
           ORDER BY event_id LIMIT ${PAGE}`,
          [liveId, after, SUMMARY_TYPE, summary],
        );
        if (rows.length === 0) break;
        const f = await sendPage(settings.url, rows);
        failed.push(...f);
        delivered += rows.length - f.length;
        after = rows[rows.length - 1]!.event_id;
      }
    }
    if (failed.length > 0) {
      const [id, error] = failed[0]!;
      throw new Error(`${failed.length} merchant webhooks of live ${liveId} failed (${id}: ${error})`);
    }
    return { delivered };
  };

  const worker = new Worker(
    MERCHANT_QUEUE,
    async (job) => deliverLive(DeliverPayload.parse(job.data).liveId),
    {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: 8,
    },
  );
  worker.on('failed', (job, err) =>
    deps.log.warn(
      { jobId: job?.id, attempts: job?.attemptsMade, err: err.message },
      'merchant webhook delivery attempt failed',
    ),
  );

  return {
    queue,
    worker,
    deliverLive,
    /**
     * Schedules delivery of every undelivered event of a live (deterministic job id: a scheduled or running
     * delivery is left alone). A delivery that used up its attempts (receiver down for long) starts over, and
     * one that completed before new rows were written runs again. Returns the undelivered count.
     */
    async enqueueLive(liveId: string): Promise<number> {
      if (!settings.url) return 0;
      const { rows } = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM merchant_webhooks WHERE live_id = $1 AND delivered_at IS NULL',
        [liveId],
      );
      const pending = rows[0]?.n ?? 0;
      if (pending === 0) return 0;
      const id = deliveryJobId(liveId);
      const job = await queue.getJob(id);
      const state = job ? await job.getState() : undefined;
      if (job && state === 'failed') {
        await job.retry('failed', { resetAttemptsMade: true });
        return pending;
      }
      if (job && state !== 'completed') return pending;
      await job?.remove();
      await queue.add(
        'deliver',
        { liveId },
        {
          jobId: id,
          attempts: settings.attempts,
          backoff: { type: 'exponential', delay: settings.backoffMs },
          removeOnComplete: { age: 7 * 24 * 3600 },
          removeOnFail: { age: 30 * 24 * 3600 },
        },
      );
      return pending;
    },
    async close() {
      await worker.close();
      await queue.close();
      poster.close();
    },
  };
}
export type MerchantWebhooks = ReturnType<typeof startMerchantWebhooks>;

/** The `order.settled` outbox row of order `o` (event id, live, type, payload). */
const ORDER_EVENT = `'order-' || o.id, o.live_id, 'order.settled',
  jsonb_build_object('orderId', o.id, 'reservationId', o.reservation_id, 'paymentId', o.payment_id,
    'saleId', o.sale_id, 'productId', o.product_id, 'userId', o.user_id, 'quantity', o.quantity,
    'unitPrice', o.unit_price, 'subtotal', o.subtotal, 'discount', o.discount, 'total', o.total,
    'currency', o.currency, 'couponId', o.coupon_id)`;

/**
 * Paid orders of the live → settled, and their `order.settled` outbox rows, in one statement (one pass over
 * the orders, atomic: an order is never settled without its event). Lottery prize orders settle too but are
 * not sales: no event.
 */
export async function settleOrders(
  db: Db,
  liveId: string,
  source: 'live' | 'replay',
): Promise<{ settled: number; events: number }> {
  // NOTE: the live's settlement settles the orders of the live, the replay settlement those of the replay
  // (bought after the end): each order is settled by one of them, once.
  const { rows } = await db.query<{ settled: number; events: number }>(
    `WITH settled AS (
       UPDATE orders SET status = 'settled', settled_at = now()
       WHERE live_id = $1 AND status = 'paid' AND source = $2
       RETURNING *),
     events AS (
       INSERT INTO merchant_webhooks (event_id, live_id, type, payload)
       SELECT ${ORDER_EVENT} FROM settled o WHERE o.kind = 'sale'
       ON CONFLICT (event_id) DO NOTHING RETURNING 1)
     SELECT (SELECT count(*)::int FROM settled) AS settled, (SELECT count(*)::int FROM events) AS events`,
    [liveId, source],
  );
  return rows[0] ?? { settled: 0, events: 0 };
}

/**
 * Outbox rows for sale orders that have none (settled before events were written with the settling, or a
 * repair) and the live's summary from its report. Event ids are deterministic: each is written once.
 */
export async function writeOutbox(db: Db, liveId: string, report: CommerceReport): Promise<void> {
  await db.query(
    `INSERT INTO merchant_webhooks (event_id, live_id, type, payload)
     SELECT ${ORDER_EVENT} FROM orders o WHERE o.live_id = $1 AND o.kind = 'sale' AND o.source = 'live'
       AND NOT EXISTS (SELECT 1 FROM merchant_webhooks w WHERE w.event_id = 'order-' || o.id)
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
