/**
 * Paying a reservation: `pay` moves it to `paying` (reservation-pay-5.lua, under an Idempotency-Key, with a
 * coupon set aside) and asks the provider; the provider's signed webhook reports the outcome, which
 * reservation-confirm-5.lua applies in Redis before the ledger records the order (or the failed / refunded
 * payment). Redis decides, the ledger records; settlement repairs an order whose ledger write was lost.
 */
import { randomUUID } from 'node:crypto';
import type { TokenClaims } from '@lc/contracts/auth.schema';
import { type Order, type PayBody, PaymentStarted } from '@lc/contracts/commerce.schema';
import { AppError } from '@lc/contracts/errors';
import type { Redis } from 'ioredis';
import type { OrdersRepo, PaidReservation } from '../../../ledger/orders.repo';
import type { Keys } from '../../../redis/keys';
import { guardRedis, runScript } from '../../../redis/outage';
import { checkScript, scriptError } from '../../../redis/script-results';
import type { Scripts } from '../../../redis/scripts';
import type { CouponsService } from '../coupons/coupons.service';
import { discountFor } from '../coupons/discount';
import { idemField, requestHash } from '../idempotency';
import type { LiveGate } from '../live-gate';
import type { StockAnnouncer } from '../sales/stock-announcer';
import type { PaymentEvent, PaymentProvider } from './payment-provider';

export interface PaymentNotices {
  paid(userId: string, liveId: string, order: Order): void;
  failed(
    userId: string,
    liveId: string,
    p: { reservationId: string; paymentId: string; reason: string },
  ): void;
}

type Log = { warn(o: object, m?: string): void; info(o: object, m?: string): void };

export function createPaymentsService(deps: {
  redis: Redis;
  keys: Keys;
  scripts: Scripts;
  orders: OrdersRepo;
  coupons: CouponsService;
  gate: LiveGate;
  provider: PaymentProvider;
  announcer: StockAnnouncer;
  notices: PaymentNotices;
  /** How long a started payment holds the reservation before it is released (and a late success refunded). */
  paymentTimeoutMs: number;
  log: Log;
  now?: () => number;
}) {
  const { redis, keys, scripts, provider } = deps;
  const now = deps.now ?? Date.now;

  const readReservation = async (liveId: string, id: string) => {
    const raw = await guardRedis(() => redis.hget(keys.reservations(liveId), id));
    return raw ? (JSON.parse(raw) as PaidReservation & { status: string; expiresAt: number }) : undefined;
  };

  return {
    /**
     * Starts paying a reservation of the caller. Responds once the provider accepted the request; the
     * outcome arrives by webhook (the user gets `order:paid` or `payment:failed`).
     * @throws RESERVATION_NOT_FOUND, RESERVATION_EXPIRED, PAYMENT_IN_PROGRESS, ALREADY_PAID, LIVE_ENDED,
     *   COUPON_NOT_FOUND, COUPON_NOT_APPLICABLE, COUPON_NOT_CLAIMED, IDEMPOTENCY_MISMATCH, SERVICE_UNAVAILABLE
     */
    async pay(
      user: TokenClaims,
      liveId: string,
      reservationId: string,
      key: string,
      body: PayBody,
    ): Promise<PaymentStarted> {
      const r = await readReservation(liveId, reservationId);
      if (!r || r.userId !== user.sub) throw scriptError('reservation-pay', -8);
      const field = idemField(user.sub, key);
      const hash = requestHash(
        'pay',
        liveId,
        reservationId,
        body.couponId ?? null,
        body.method,
        body.simulate,
      );
      const subtotal = r.unitPrice * r.quantity;
      const discount = body.couponId
        ? discountFor(await deps.coupons.def(liveId, body.couponId), subtotal, r.currency)
        : 0;
      const replay = await guardRedis(() => redis.hget(keys.idempotency(liveId), field));
      // NOTE: a replay sale's reservation (bought after the live, features/replay) is paid like any other.
      if (
        !replay &&
        (await deps.gate.status(liveId)) === 'ended' &&
        (await guardRedis(() => redis.hget(keys.sale(liveId, r.saleId), 'replay'))) !== '1'
      ) {
        throw new AppError('LIVE_ENDED', 'the live has ended');
      }
      const at = now();
      const [code, rec] = await runScript<[number, string]>(
        scripts,
        'reservation-pay',
        [
          keys.reservations(liveId),
          keys.saleExpiry(liveId, r.saleId),
          keys.idempotency(liveId),
          keys.couponClaims(liveId),
          keys.couponUses(liveId),
        ],
        [
          at,
          field,
          hash,
          reservationId,
          user.sub,
          randomUUID(),
          body.couponId ?? '',
          Math.max(r.expiresAt, at + deps.paymentTimeoutMs),
          subtotal,
          discount,
          subtotal - discount,
          key,
        ],
      );
      checkScript('reservation-pay', code);
      const b = (JSON.parse(rec) as { b: Record<string, unknown> }).b;
      const started = PaymentStarted.parse({ ...b, couponId: b.couponId ? b.couponId : null });
      // NOTE: idempotent by paymentId, so a replayed request may ask again: the provider charges once.
      await provider.createPayment({
        paymentId: started.paymentId,
        amount: started.total,
        currency: started.currency,
        description: `reservation ${reservationId}`,
        method: body.method,
        metadata: { liveId, reservationId, userId: user.sub },
        simulate: body.simulate,
      });
      return started;
    },

    /**
     * A provider webhook: verified over the raw body, applied once per event id.
     * @throws WEBHOOK_SIGNATURE_INVALID, WEBHOOK_STALE, VALIDATION, SERVICE_UNAVAILABLE
     */
    async handleWebhook(
      headers: Record<string, string | string[] | undefined>,
      rawBody: Buffer,
    ): Promise<{ received: true; duplicate: boolean }> {
      const event = provider.parseWebhook(headers, rawBody);
      if (await deps.orders.eventSeen(provider.name, event.id)) return { received: true, duplicate: true };
      await apply(event);
      return { received: true, duplicate: false };
    },

    /** The caller's orders in a live. */
    myOrders: (liveId: string, userId: string) => deps.orders.listByUser(liveId, userId),
  };

  async function apply(event: PaymentEvent): Promise<void> {
    const { liveId, reservationId } = event.metadata;
    const r = await readReservation(liveId, reservationId);
    const ref = {
      provider: provider.name,
      eventId: event.id,
      type: event.type,
      providerRef: event.providerRef,
    };
    if (!r) {
      deps.log.warn({ event: event.id, reservationId }, 'payment webhook for an unknown reservation');
      return;
    }
    const [code, raw] = await runScript<[number, string]>(
      scripts,
      'reservation-confirm',
      [
        keys.reservations(liveId),
        keys.sale(liveId, r.saleId),
        keys.saleExpiry(liveId, r.saleId),
        keys.couponUses(liveId),
        keys.buyers(liveId),
      ],
      [reservationId, event.paymentId, event.type === 'payment.succeeded' ? 'succeeded' : 'failed', now()],
    );
    const unpaid = {
      paymentId: event.paymentId,
      liveId,
      reservationId,
      userId: r.userId,
      amount: event.amount,
      currency: event.currency,
      payKey: r.payKey ?? `payment:${event.paymentId}`,
    };
    if (code === 1 || code === 2) {
      deps.announcer.touch(liveId, r.saleId);
      const order = await deps.orders.recordPaid(JSON.parse(raw) as PaidReservation, ref, randomUUID());
      if (code === 1) deps.notices.paid(r.userId, liveId, order);
    } else if (code === 3) {
      await deps.orders.recordUnpaid(unpaid, 'failed', ref);
      deps.notices.failed(r.userId, liveId, {
        reservationId,
        paymentId: event.paymentId,
        reason: event.reason ?? 'declined',
      });
    } else if (code === -9 || code === -13) {
      // Captured, but the hold was released (or paid otherwise) meanwhile: give the money back.
      if (event.type === 'payment.succeeded') {
        await provider.refund({
          paymentId: event.paymentId,
          providerRef: event.providerRef,
          amount: event.amount,
          currency: event.currency,
        });
        await deps.orders.recordUnpaid(unpaid, 'refunded', ref);
        deps.notices.failed(r.userId, liveId, {
          reservationId,
          paymentId: event.paymentId,
          reason: 'reservation-expired-refunded',
        });
        deps.log.warn({ reservationId, paymentId: event.paymentId }, 'late payment refunded');
      }
    } else {
      deps.log.info({ reservationId, code }, 'payment webhook changed nothing');
    }
  }
}
export type PaymentsService = ReturnType<typeof createPaymentsService>;
