/**
 * Payments, orders and coupon redemptions: the record of money. Every write is idempotent and guarded by
 * unique constraints (one order per reservation, per payment and per (user, Idempotency-Key); one redemption
 * per claimed coupon and per order; one accepted webhook per provider event id).
 */
import { randomUUID } from 'node:crypto';
import type { Order } from '@lc/contracts/commerce.schema';
import type { Db, Queryable } from './db';

/** A paid reservation as Redis holds it (reservation-confirm-5.lua output). */
export interface PaidReservation {
  id: string;
  liveId: string;
  saleId: string;
  productId: string;
  userId: string;
  quantity: number;
  unitPrice: number;
  currency: string;
  paymentId: string;
  payKey: string;
  subtotal: number;
  discount: number;
  total: number;
  couponId?: string;
  couponClaim?: number;
}

export interface ProviderEventRef {
  provider: string;
  eventId: string;
  type: string;
  providerRef: string | null;
}

interface OrderRow {
  id: string;
  live_id: string;
  reservation_id: string;
  payment_id: string;
  sale_id: string;
  product_id: string;
  user_id: string;
  quantity: number;
  unit_price: string;
  subtotal: string;
  discount: string;
  total: string;
  currency: string;
  coupon_id: string | null;
  status: 'paid' | 'settled';
  created_at: Date;
  source: 'live' | 'replay';
  replay_offset_ms: number | null;
  replay_chapter: number | null;
}

const ORDER_COLUMNS = `id, live_id, reservation_id, payment_id, sale_id, product_id, user_id, quantity, unit_price,
  subtotal, discount, total, currency, coupon_id, status, created_at, source, replay_offset_ms, replay_chapter`;

const toOrder = (r: OrderRow): Order => ({
  id: r.id,
  liveId: r.live_id,
  reservationId: r.reservation_id,
  paymentId: r.payment_id,
  saleId: r.sale_id,
  productId: r.product_id,
  userId: r.user_id,
  quantity: r.quantity,
  unitPrice: Number(r.unit_price),
  subtotal: Number(r.subtotal),
  discount: Number(r.discount),
  total: Number(r.total),
  currency: r.currency,
  couponId: r.coupon_id,
  status: r.status,
  createdAt: r.created_at.toISOString(),
  source: r.source,
  replay: r.replay_offset_ms === null ? null : { offsetMs: r.replay_offset_ms, chapter: r.replay_chapter },
});

async function recordEvent(q: Queryable, e: ProviderEventRef, paymentId: string): Promise<void> {
  await q.query(
    `INSERT INTO payment_events (provider, event_id, payment_id, type) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING`,
    [e.provider, e.eventId, paymentId, e.type],
  );
}

export function createOrdersRepo(db: Db) {
  /**
   * Payment row (succeeded) + claim row + order + redemption (+ the accepted event), in one transaction.
   * Running it again for the same reservation returns the existing order and writes nothing.
   */
  const recordPaid = (r: PaidReservation, event: ProviderEventRef | null, orderId: string): Promise<Order> =>
    db.tx(async (q) => {
      await q.query(
        `INSERT INTO payments (id, live_id, reservation_id, user_id, provider, provider_ref, amount, currency,
           status, idempotency_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'succeeded', $9) ON CONFLICT (id) DO NOTHING`,
        [
          r.paymentId,
          r.liveId,
          r.id,
          r.userId,
          event?.provider ?? 'unknown',
          event?.providerRef ?? null,
          r.total,
          r.currency,
          r.payKey,
        ],
      );
      if (r.couponId && r.couponClaim) {
        await q.query(
          'INSERT INTO coupon_claims (coupon_id, user_id, claim_no) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
          [r.couponId, r.userId, r.couponClaim],
        );
      }
      await q.query(
        // NOTE: a replay sale's order is a replay order; the buyer's position comes from the attribution
        // written when they reserved (the reservation id keys it).
        `INSERT INTO orders (id, live_id, reservation_id, payment_id, user_id, idempotency_key, sale_id, product_id,
           quantity, unit_price, subtotal, discount, total, currency, coupon_id, status, source, replay_offset_ms,
           replay_chapter)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'paid', s.source,
           CASE WHEN s.source = 'replay' THEN a.offset_ms END, CASE WHEN s.source = 'replay' THEN a.chapter END
         FROM sales s LEFT JOIN replay_attributions a ON a.reservation_id = $3::uuid
         WHERE s.id = $7::uuid
         ON CONFLICT (reservation_id) DO NOTHING`,
        [
          orderId,
          r.liveId,
          r.id,
          r.paymentId,
          r.userId,
          r.payKey,
          r.saleId,
          r.productId,
          r.quantity,
          r.unitPrice,
          r.subtotal,
          r.discount,
          r.total,
          r.currency,
          r.couponId ?? null,
        ],
      );
      const { rows } = await q.query<OrderRow>(
        `SELECT ${ORDER_COLUMNS} FROM orders WHERE reservation_id = $1`,
        [r.id],
      );
      const order = rows[0]!;
      if (r.couponId && r.couponClaim) {
        await q.query(
          `INSERT INTO coupon_redemptions (coupon_id, user_id, claim_no, order_id, discount)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (order_id) DO NOTHING`,
          [r.couponId, r.userId, r.couponClaim, order.id, r.discount],
        );
      }
      if (event) await recordEvent(q, event, r.paymentId);
      return toOrder(order);
    });

  return {
    recordPaid,
    /** A payment that did not become an order: declined, or captured too late and refunded. */
    recordUnpaid(
      p: {
        paymentId: string;
        liveId: string;
        reservationId: string;
        userId: string;
        amount: number;
        currency: string;
        payKey: string;
      },
      status: 'failed' | 'refunded',
      event: ProviderEventRef,
    ): Promise<void> {
      return db.tx(async (q) => {
        await q.query(
          `INSERT INTO payments (id, live_id, reservation_id, user_id, provider, provider_ref, amount, currency,
             status, idempotency_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING`,
          [
            p.paymentId,
            p.liveId,
            p.reservationId,
            p.userId,
            event.provider,
            event.providerRef,
            p.amount,
            p.currency,
            status,
            p.payKey,
          ],
        );
        await recordEvent(q, event, p.paymentId);
      });
    },
    async eventSeen(provider: string, eventId: string): Promise<boolean> {
      const { rowCount } = await db.query(
        'SELECT 1 FROM payment_events WHERE provider = $1 AND event_id = $2',
        [provider, eventId],
      );
      return rowCount > 0;
    },
    /**
     * Lottery prize: a zero-price order of one unit of the live's product (kind 'prize': no sale, reservation
     * or payment), once per `key` (`prize:<lotteryId>:<slot>:<attempt>`). Returns its id; null when the live
     * has no such product.
     */
    async recordPrizeOrder(
      q: Queryable,
      p: { liveId: string; userId: string; productId: string; key: string; shipping: unknown },
    ): Promise<string | null> {
      await q.query(
        `INSERT INTO orders (id, live_id, user_id, idempotency_key, product_id, quantity, unit_price, subtotal,
           discount, total, currency, status, settled_at, kind, shipping)
         SELECT $1, p.live_id, $3, $4, p.id, 1, 0, 0, 0, 0, p.currency, 'settled', now(), 'prize', $5::jsonb
           FROM products p WHERE p.id::text = $6 AND p.live_id = $2
         ON CONFLICT (idempotency_key) WHERE kind = 'prize' DO NOTHING`,
        [randomUUID(), p.liveId, p.userId, p.key, JSON.stringify(p.shipping), p.productId],
      );
      const { rows } = await q.query<{ id: string }>(
        `SELECT id FROM orders WHERE kind = 'prize' AND idempotency_key = $1`,
        [p.key],
      );
      return rows[0]?.id ?? null;
    },
    /** The user's orders from sales (prize orders are listed with the lottery prizes). */
    async listByUser(liveId: string, userId: string): Promise<Order[]> {
      const { rows } = await db.query<OrderRow>(
        `SELECT ${ORDER_COLUMNS} FROM orders WHERE live_id = $1 AND user_id = $2 AND kind = 'sale' ORDER BY created_at DESC, id`,
        [liveId, userId],
      );
      return rows.map(toOrder);
    },
    async listByLive(liveId: string, limit = 1000): Promise<Order[]> {
      const { rows } = await db.query<OrderRow>(
        `SELECT ${ORDER_COLUMNS} FROM orders WHERE live_id = $1 AND kind = 'sale' ORDER BY created_at, id LIMIT $2`,
        [liveId, limit],
      );
      return rows.map(toOrder);
    },
  };
}
export type OrdersRepo = ReturnType<typeof createOrdersRepo>;
