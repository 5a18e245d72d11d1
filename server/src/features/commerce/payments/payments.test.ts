import { randomUUID } from 'node:crypto';
import type { Order } from '@lc/contracts/commerce.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveWithSale, pay, reserve, saleCounters, watchRoom } from '../../../../../test/commerce';
import { guest, http, startServer, type TestServer, waitFor } from '../../../../../test/server';
import { loadConfig } from '../../../config';
import { paymentWebhookSecret } from '../secrets';
import type { PaymentEvent } from './payment-provider';
import { SIM_SIGNATURE_HEADER } from './sim-provider';
import { signatureHeader } from './webhook-signature';

const ordersOf = async (s: TestServer, liveId: string) =>
  (
    await s.built.deps.db.query<{
      reservation_id: string;
      status: string;
      total: string;
      idempotency_key: string;
    }>('SELECT reservation_id, status, total, idempotency_key FROM orders WHERE live_id = $1', [liveId])
  ).rows;

const paymentsOf = async (s: TestServer, reservationId: string) =>
  (
    await s.built.deps.db.query<{ id: string; status: string }>(
      'SELECT id, status FROM payments WHERE reservation_id = $1 ORDER BY created_at',
      [reservationId],
    )
  ).rows;

describe.each(['pglite', 'postgres'] as const)('payments on %s', (ledger) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ ledger, env: { SALE_FAIR_WINDOW_MS: '0' } });
  });
  afterAll(async () => s?.close());

  it('pays a reservation: the signed webhook makes exactly one order and tells the buyer', async () => {
    const { liveId, sale } = await liveWithSale(s, { units: 5, dealPrice: 4900 });
    const buyer = await guest(s);
    const room = await watchRoom(s, buyer, liveId);
    const r = await reserve(s, buyer.token, liveId, sale.id);
    const started = await pay(s, buyer.token, liveId, r.body.id, 'pay-1');
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: 'pending', subtotal: 4900, discount: 0, total: 4900 });
    const fact = await waitFor(() => room.facts.find((f) => f.event === 'order:paid'), 5000, 'order:paid');
    const order = (fact.payload as { order: Order }).order;
    expect(order).toMatchObject({
      reservationId: r.body.id,
      total: 4900,
      status: 'paid',
      userId: buyer.user.id,
    });
    expect(await ordersOf(s, liveId)).toEqual([
      { reservation_id: r.body.id, status: 'paid', total: '4900', idempotency_key: 'pay-1' },
    ]);
    expect(await saleCounters(s, liveId, sale.id)).toEqual({
      initial: 5,
      remaining: 4,
      reserved: 0,
      sold: 1,
    });
    const mine = await http<{ orders: Order[] }>(
      s,
      'GET',
      `/api/lives/${liveId}/orders`,
      undefined,
      buyer.token,
    );
    expect(mine.body.orders.map((o) => o.id)).toEqual([order.id]);
    const resv = await http<{ status: string }>(
      s,
      'GET',
      `/api/lives/${liveId}/reservations/${r.body.id}`,
      undefined,
      buyer.token,
    );
    expect(resv.body.status).toBe('paid');
    // Paid is final: another attempt is refused, the original request replays.
    expect((await pay(s, buyer.token, liveId, r.body.id)).body.error?.code).toBe('ALREADY_PAID');
    expect((await pay(s, buyer.token, liveId, r.body.id, 'pay-1')).text).toBe(started.text);
    // Buyers-only chat knows who bought.
    expect(await s.built.use('buyers').isBuyer(liveId, buyer.user.id)).toBe(true);
    room.close();
  });

  it('answers 20 concurrent pay requests with one key identically and charges once', async () => {
    const { liveId, sale } = await liveWithSale(s, { units: 5 });
    const buyer = await guest(s);
    const r = await reserve(s, buyer.token, liveId, sale.id);
    const key = randomUUID();
    const all = await Promise.all(
      Array.from({ length: 20 }, () => pay(s, buyer.token, liveId, r.body.id, key)),
    );
    expect(new Set(all.map((x) => x.status))).toEqual(new Set([202]));
    expect(new Set(all.map((x) => x.text)).size).toBe(1);
    await waitFor(async () => (await ordersOf(s, liveId)).length === 1, 5000, 'order');
    await new Promise((r) => setTimeout(r, 300));
    expect(await ordersOf(s, liveId)).toHaveLength(1);
    expect(await paymentsOf(s, r.body.id)).toEqual([{ id: all[0]!.body.paymentId, status: 'succeeded' }]);
    // The same key with another body, or the reserve key reused for paying, is another request.
    expect((await pay(s, buyer.token, liveId, r.body.id, key, { method: 'wallet' })).body.error?.code).toBe(
      'IDEMPOTENCY_MISMATCH',
    );
    expect((await pay(s, buyer.token, liveId, r.body.id, null)).body.error?.code).toBe(
      'IDEMPOTENCY_KEY_REQUIRED',
    );
    const stranger = await guest(s);
    expect((await pay(s, stranger.token, liveId, r.body.id)).body.error?.code).toBe('RESERVATION_NOT_FOUND');
  });

  it('keeps the reservation after a declined payment; a new attempt can pay it', async () => {
    const { liveId, sale } = await liveWithSale(s, { units: 5 });
    const buyer = await guest(s);
    const room = await watchRoom(s, buyer, liveId);
    const r = await reserve(s, buyer.token, liveId, sale.id);
    const declined = await pay(s, buyer.token, liveId, r.body.id, 'try-1', { simulate: 'decline' });
    expect(declined.status).toBe(202);
    const fact = await waitFor(
      () => room.facts.find((f) => f.event === 'payment:failed'),
      5000,
      'payment:failed',
    );
    expect(fact.payload).toMatchObject({ reservationId: r.body.id, reason: 'card_declined' });
    expect(await paymentsOf(s, r.body.id)).toEqual([{ id: declined.body.paymentId, status: 'failed' }]);
    expect(await saleCounters(s, liveId, sale.id)).toEqual({
      initial: 5,
      remaining: 4,
      reserved: 1,
      sold: 0,
    });
    const again = await pay(s, buyer.token, liveId, r.body.id, 'try-2');
    expect(again.status).toBe(202);
    await waitFor(() => room.facts.some((f) => f.event === 'order:paid'), 5000, 'order:paid');
    expect(await ordersOf(s, liveId)).toHaveLength(1);
    room.close();
  });
});

describe('payment webhooks', () => {
  let s: TestServer;
  let secret: string;
  beforeAll(async () => {
    // The simulated provider waits a minute, so these tests deliver (and forge) the webhooks themselves.
    s = await startServer({
      env: {
        SALE_FAIR_WINDOW_MS: '0',
        PAYMENT_SIM_DELAY_MS: '60000',
        RESERVATION_TTL_SEC: '5',
        PAYMENT_TIMEOUT_SEC: '5',
      },
    });
    secret = paymentWebhookSecret(loadConfig(s.env));
  });
  afterAll(async () => s?.close());

  const started = async (units = 5) => {
    const { liveId, sale } = await liveWithSale(s, { units, dealPrice: 4900 });
    const buyer = await guest(s);
    const r = await reserve(s, buyer.token, liveId, sale.id);
    const p = await pay(s, buyer.token, liveId, r.body.id);
    const event: PaymentEvent = {
      id: `evt_${randomUUID()}`,
      type: 'payment.succeeded',
      paymentId: p.body.paymentId,
      providerRef: `sim_${randomUUID()}`,
      amount: p.body.total,
      currency: 'CNY',
      metadata: { liveId, reservationId: r.body.id, userId: buyer.user.id },
      created: Date.now(),
    };
    return { liveId, sale, buyer, reservationId: r.body.id, event };
  };
  const post = async (raw: string, signature?: string) => {
    const res = await fetch(`${s.url}/api/payments/webhooks/sim`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature ? { [SIM_SIGNATURE_HEADER]: signature } : {}),
      },
      body: raw,
    });
    return {
      status: res.status,
      body: (await res.json()) as { duplicate?: boolean; error?: { code: string } },
    };
  };

  it('applies a correctly signed event once; a replayed delivery changes nothing', async () => {
    const { liveId, reservationId, event } = await started();
    const raw = JSON.stringify(event);
    const sig = signatureHeader(secret, raw);
    const first = await post(raw, sig);
    expect(first).toEqual({ status: 200, body: { received: true, duplicate: false } });
    const replay = await Promise.all(Array.from({ length: 5 }, () => post(raw, sig)));
    expect(replay.map((r) => r.body.duplicate)).toEqual([true, true, true, true, true]);
    expect(await ordersOf(s, liveId)).toHaveLength(1);
    expect(await paymentsOf(s, reservationId)).toEqual([{ id: event.paymentId, status: 'succeeded' }]);
    // A second event for the same payment (a provider resend under a new id) is idempotent as well.
    const resend = JSON.stringify({ ...event, id: `evt_${randomUUID()}` });
    expect((await post(resend, signatureHeader(secret, resend))).status).toBe(200);
    expect(await ordersOf(s, liveId)).toHaveLength(1);
  });

  it('refuses a wrong, missing or tampered signature and a stale timestamp', async () => {
    const { liveId, event } = await started();
    const raw = JSON.stringify(event);
    const cases: Array<[string, string | undefined, number, string]> = [
      ['missing', undefined, 401, 'WEBHOOK_SIGNATURE_INVALID'],
      ['wrong secret', signatureHeader('x'.repeat(64), raw), 401, 'WEBHOOK_SIGNATURE_INVALID'],
      ['garbage', 't=abc,v1=zz', 401, 'WEBHOOK_SIGNATURE_INVALID'],
      ['stale', signatureHeader(secret, raw, Date.now() - 301_000), 400, 'WEBHOOK_STALE'],
      ['future', signatureHeader(secret, raw, Date.now() + 301_000), 400, 'WEBHOOK_STALE'],
    ];
    for (const [name, sig, status, code] of cases) {
      const res = await post(raw, sig);
      expect({ name, status: res.status, code: res.body.error?.code }).toEqual({ name, status, code });
    }
    // Same signature, one byte changed (amount): the HMAC covers the raw body.
    const sig = signatureHeader(secret, raw);
    const tampered = raw.replace(`"amount":${event.amount}`, `"amount":${event.amount - 1}`);
    expect(tampered).not.toBe(raw);
    expect((await post(tampered, sig)).body.error?.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    // Re-serialized JSON with the same content is still not the signed bytes.
    expect((await post(JSON.stringify(JSON.parse(raw), null, 1), sig)).body.error?.code).toBe(
      'WEBHOOK_SIGNATURE_INVALID',
    );
    expect(await ordersOf(s, liveId)).toHaveLength(0);
  });

  it('refunds a payment that succeeds after its hold was released, and records no order', async () => {
    const { liveId, sale, reservationId, event, buyer } = await started(1);
    const room = await watchRoom(s, buyer, liveId);
    // The payment deadline (5 s) passes and the sweeper releases the hold.
    const swept = await s.built
      .use('commerce')
      .sweeper.sweepSale(liveId, sale.id, 'due', Date.now() + 10_000);
    expect(swept).toMatchObject({ released: 1, units: 1 });
    expect(await saleCounters(s, liveId, sale.id)).toEqual({
      initial: 1,
      remaining: 1,
      reserved: 0,
      sold: 0,
    });
    const raw = JSON.stringify(event);
    expect((await post(raw, signatureHeader(secret, raw))).status).toBe(200);
    expect(await ordersOf(s, liveId)).toHaveLength(0);
    expect(await paymentsOf(s, reservationId)).toEqual([{ id: event.paymentId, status: 'refunded' }]);
    expect(s.built.use('commerce').provider.refunds.has(event.paymentId)).toBe(true);
    const fact = await waitFor(
      () => room.facts.find((f) => f.event === 'payment:failed'),
      5000,
      'refund notice',
    );
    expect(fact.payload).toMatchObject({ reason: 'reservation-expired-refunded' });
    expect(await saleCounters(s, liveId, sale.id)).toEqual({
      initial: 1,
      remaining: 1,
      reserved: 0,
      sold: 0,
    });
    room.close();
  });
});
