import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { CommerceReport, Coupon } from '@lc/contracts/commerce.schema';
import { WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER } from '@lc/contracts/merchant-webhook.schema';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guests, liveWithSale, pay, reserve, saleCounters, watchRoom } from '../../../../../test/commerce';
import { call, guest, http, startServer, type TestServer, waitFor } from '../../../../../test/server';
import { loadConfig } from '../../../config';
import type { Db } from '../../../ledger/db';
import { freePort } from '../../../redis/free-port';
import { buildWorker } from '../../../worker-app';
import { verifySignature } from '../payments/webhook-signature';
import { merchantWebhookSecret } from '../secrets';
import { commerceKeysOf } from './release-keys';
import { COMMERCE_SETTLEMENT_STEP } from './settlement.jobs';

/** A tiny merchant endpoint: records every delivery it acknowledged, and whether its signature verified. */
function merchantReceiver(port: number, secret: string) {
  const received: Array<{ id: string; type: string; signed: boolean; data: Record<string, unknown> }> = [];
  let server: Server | undefined;
  return {
    received,
    up: () =>
      new Promise<void>((resolve) => {
        server = createServer((req, res) => {
          const chunks: Buffer[] = [];
          req.on('data', (c: Buffer) => chunks.push(c));
          req.on('end', () => {
            const raw = Buffer.concat(chunks);
            let signed = true;
            try {
              verifySignature(secret, req.headers[WEBHOOK_SIGNATURE_HEADER], raw, {
                nowMs: Date.now(),
                toleranceSec: 300,
              });
            } catch {
              signed = false;
            }
            const body = JSON.parse(raw.toString('utf8'));
            expect(req.headers[WEBHOOK_ID_HEADER]).toBe(body.id);
            received.push({ id: body.id, type: body.type, signed, data: body.data });
            res.writeHead(200).end('ok');
          });
        });
        server.listen(port, '127.0.0.1', resolve);
      }),
    down: () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
  };
}

/** Everything settlement writes, to compare two runs. */
async function ledgerState(db: Db, liveId: string) {
  const q = async (sql: string) => (await db.query(sql, [liveId])).rows;
  return {
    orders: await q('SELECT id, status, settled_at FROM orders WHERE live_id = $1 ORDER BY id'),
    payments: await q('SELECT id, status FROM payments WHERE live_id = $1 ORDER BY id'),
    sales: await q('SELECT id, closed_at FROM sales WHERE live_id = $1 ORDER BY id'),
    claims: await q(
      'SELECT c.coupon_id, c.user_id, c.claim_no FROM coupon_claims c JOIN coupons k ON k.id = c.coupon_id WHERE k.live_id = $1 ORDER BY 1, 2, 3',
    ),
    redemptions: await q(
      'SELECT r.order_id FROM coupon_redemptions r JOIN orders o ON o.id = r.order_id WHERE o.live_id = $1 ORDER BY 1',
    ),
    reconciliations: await q('SELECT * FROM commerce_reconciliations WHERE live_id = $1 ORDER BY sale_id'),
    report: await q('SELECT * FROM commerce_reports WHERE live_id = $1'),
    webhooks: await q(
      'SELECT event_id, delivered_at FROM merchant_webhooks WHERE live_id = $1 ORDER BY event_id',
    ),
  };
}

describe.each(['pglite', 'postgres'] as const)('settlement after the live on %s', (ledger) => {
  let s: TestServer;
  let worker: Awaited<ReturnType<typeof buildWorker>>;
  let receiver: ReturnType<typeof merchantReceiver>;
  beforeAll(async () => {
    const port = await freePort();
    s = await startServer({
      ledger,
      env: {
        SALE_FAIR_WINDOW_MS: '0',
        MERCHANT_WEBHOOK_URL: `http://127.0.0.1:${port}/hooks`,
        MERCHANT_WEBHOOK_BACKOFF_MS: '100',
        MERCHANT_WEBHOOK_ATTEMPTS: '30',
      },
    });
    const config = loadConfig(s.env);
    // NOTE: PGlite has one owner, so there the worker shares the API node's infrastructure (as main.ts does).
    worker = await buildWorker(
      config,
      pino({ level: 'silent' }),
      ledger === 'pglite' ? s.built.infra : undefined,
    );
    receiver = merchantReceiver(port, merchantWebhookSecret(config));
  });
  afterAll(async () => {
    await receiver?.down();
    await worker?.close();
    await s?.close();
  });

  const settle = async (liveId: string, hostToken: string) => {
    await http(s, 'POST', `/api/lives/${liveId}/end`, undefined, hostToken);
    const job = await waitFor(
      () => s.built.deps.endQueue.getJob(`${COMMERCE_SETTLEMENT_STEP}-${liveId}`),
      10_000,
      'job',
    );
    await waitFor(async () => (await job.getState()) === 'completed', 20_000, 'settlement completed');
    return (await s.built.deps.endQueue.getJob(job.id!))!.returnvalue as {
      reconciled: boolean;
      problems: string[];
    };
  };

  it('settles once: releases unpaid holds, settles paid orders, reconciles, reports and notifies the merchant', async () => {
    const { host, liveId, sale, product } = await liveWithSale(s, {
      units: 10,
      perUserLimit: 2,
      dealPrice: 4900,
    });
    const coupon = await http<Coupon>(
      s,
      'POST',
      `/api/lives/${liveId}/coupons`,
      { kind: 'amount_off', title: '满50减10', currency: 'CNY', amountOff: 1000, minSpend: 5000, quota: 5 },
      host.token,
    );
    const buyers = await guests(s, 6);
    const rooms = await Promise.all(
      [...buyers, await guest(s), await guest(s)].map((u) => watchRoom(s, u, liveId)),
    );
    for (const [i, r] of rooms.entries()) {
      await call(r.socket, 'product:impressions', { liveId, productIds: [product.id] });
      if (i < 3) await call(r.socket, 'product:click', { liveId, productId: product.id });
    }
    const holds = await Promise.all(
      buyers.map((u, i) => reserve(s, u.token, liveId, sale.id, randomUUID(), { quantity: i === 3 ? 2 : 1 })),
    );
    await http(
      s,
      'POST',
      `/api/lives/${liveId}/coupons/${coupon.body.id}/claims`,
      undefined,
      buyers[3]!.token,
    );
    for (const i of [0, 1, 2, 3]) {
      const body = i === 3 ? { couponId: coupon.body.id } : {};
      expect((await pay(s, buyers[i]!.token, liveId, holds[i]!.body.id, randomUUID(), body)).status).toBe(
        202,
      );
    }
    await waitFor(
      async () =>
        (await s.built.deps.db.query('SELECT 1 FROM orders WHERE live_id = $1', [liveId])).rowCount === 4,
      5000,
      'orders',
    );
    expect(await saleCounters(s, liveId, sale.id)).toEqual({
      initial: 10,
      remaining: 3,
      reserved: 2,
      sold: 5,
    });

    const result = await settle(liveId, host.token);
    expect(result).toMatchObject({ reconciled: true, problems: [] });
    expect(await saleCounters(s, liveId, sale.id)).toEqual({
      initial: 10,
      remaining: 5,
      reserved: 0,
      sold: 5,
    });
    // Clean settlement: the keys stay for the retention grace (default a day), then expire.
    const ttl = await s.built.deps.redis.ttl(s.built.deps.keys.sale(liveId, sale.id));
    expect(ttl).toBeGreaterThan(86_000);
    expect(ttl).toBeLessThanOrEqual(86_400);
    const statuses = (
      await s.built.deps.db.query<{ status: string }>('SELECT status FROM orders WHERE live_id = $1', [
        liveId,
      ])
    ).rows;
    expect(statuses.map((r) => r.status)).toEqual(['settled', 'settled', 'settled', 'settled']);
    for (const i of [4, 5]) {
      const r = await http<{ status: string }>(
        s,
        'GET',
        `/api/lives/${liveId}/reservations/${holds[i]!.body.id}`,
        undefined,
        buyers[i]!.token,
      );
      expect(r.body.status).toBe('expired');
    }
    const report = await http<CommerceReport>(s, 'GET', `/api/lives/${liveId}/report`, undefined, host.token);
    expect(report.body).toMatchObject({
      orders: 4,
      units: 5,
      buyers: 4,
      uniqueViewers: 8,
      conversion: 0.5,
      gmv: { CNY: 3 * 4900 + 2 * 4900 - 1000 },
      discounts: { CNY: 1000 },
      couponsRedeemed: 1,
      reconciliation: [{ saleId: sale.id, ok: true, problems: [] }],
    });
    expect(report.body.products).toEqual([
      expect.objectContaining({
        productId: product.id,
        impressions: 8,
        clickers: 3,
        ctr: 3 / 8,
        units: 5,
        gmv: 23500,
      }),
    ]);
    expect((await http(s, 'GET', `/api/lives/${liveId}/report`, undefined, buyers[0]!.token)).status).toBe(
      403,
    );

    // The merchant endpoint was down; it comes up and gets each event exactly once, signed.
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received).toHaveLength(0);
    await receiver.up();
    await waitFor(
      () => receiver.received.filter((r) => r.type === 'live.settled').length === 1,
      20_000,
      'webhooks',
    );
    await waitFor(() => receiver.received.length === 5, 20_000, 'all webhooks');
    const ids = receiver.received.map((r) => r.id);
    expect(new Set(ids).size).toBe(5);
    expect(receiver.received.every((r) => r.signed)).toBe(true);
    expect(receiver.received.find((r) => r.type === 'live.settled')?.data).toMatchObject({
      orders: 4,
      reconciled: true,
    });

    // Settling again — the step run by hand, and the live ended again — changes nothing.
    // NOTE: the receiver sees a webhook before the worker records its delivery; wait for the records.
    const before = await waitFor(
      async () => {
        const state = await ledgerState(s.built.deps.db, liveId);
        const done = state.webhooks.length === 5 && state.webhooks.every((w) => w.delivered_at !== null);
        return done ? state : undefined;
      },
      10_000,
      'webhook deliveries recorded',
    );
    const redisBefore = await s.built.deps.redis.hgetall(s.built.deps.keys.sale(liveId, sale.id));
    const step = worker.steps.get('commerce-settlement')!;
    await step.run({
      liveId,
      endedAt: new Date().toISOString(),
      db: worker.infra.db,
      redis: worker.infra.redis,
      keys: worker.infra.keys,
      log: pino({ level: 'silent' }),
      progress: async () => {},
    });
    await http(s, 'POST', `/api/lives/${liveId}/end`, undefined, host.token);
    await new Promise((r) => setTimeout(r, 800));
    expect(await ledgerState(s.built.deps.db, liveId)).toEqual(before);
    expect(await s.built.deps.redis.hgetall(s.built.deps.keys.sale(liveId, sale.id))).toEqual(redisBefore);
    expect(receiver.received.map((r) => r.id)).toEqual(ids);
    for (const r of rooms) r.close();
  });

  it('reports a deliberately corrupted counter and leaves it as found', async () => {
    const { host, liveId, sale } = await liveWithSale(s, { units: 10 });
    const [u1, u2] = await guests(s, 2);
    await reserve(s, u1!.token, liveId, sale.id);
    await reserve(s, u2!.token, liveId, sale.id);
    await s.built.deps.redis.hincrby(s.built.deps.keys.sale(liveId, sale.id), 'remaining', 3);
    const result = await settle(liveId, host.token);
    expect(result.reconciled).toBe(false);
    expect(result.problems.join('\n')).toContain('sold + reserved + remaining = 13, initial = 10');
    // Not "fixed": the evidence stays for a person to look at.
    expect(await saleCounters(s, liveId, sale.id)).toEqual({
      initial: 10,
      remaining: 13,
      reserved: 0,
      sold: 0,
    });
    const report = await http<CommerceReport>(s, 'GET', `/api/lives/${liveId}/report`, undefined, host.token);
    expect(report.body.reconciliation[0]).toMatchObject({ saleId: sale.id, ok: false });
  });

  it('completes correctly when a settlement run dies half-way and runs again', async () => {
    const { host, liveId, sale } = await liveWithSale(s, { units: 10 });
    const buyers = await guests(s, 3);
    const holds = await Promise.all(buyers.map((u) => reserve(s, u.token, liveId, sale.id)));
    await Promise.all([0, 1].map((i) => pay(s, buyers[i]!.token, liveId, holds[i]!.body.id)));
    await waitFor(
      async () =>
        (await s.built.deps.db.query('SELECT 1 FROM orders WHERE live_id = $1', [liveId])).rowCount === 2,
      5000,
      'orders',
    );
    // A first run dies right before it settles the orders (after closing sales and releasing holds).
    const dying: Db = {
      ...worker.infra.db,
      query: (sql, params) => {
        if (sql.includes("SET status = 'settled'")) return Promise.reject(new Error('worker killed'));
        return worker.infra.db.query(sql, params);
      },
    };
    await expect(
      worker.steps.get('commerce-settlement')!.run({
        liveId,
        endedAt: new Date().toISOString(),
        db: dying,
        redis: worker.infra.redis,
        keys: worker.infra.keys,
        log: pino({ level: 'silent' }),
        progress: async () => {},
      }),
    ).rejects.toThrow('worker killed');
    expect(await saleCounters(s, liveId, sale.id)).toEqual({
      initial: 10,
      remaining: 8,
      reserved: 0,
      sold: 2,
    });
    // The real end of the live runs it again from the top.
    expect(await settle(liveId, host.token)).toMatchObject({ reconciled: true });
    const orders = await s.built.deps.db.query<{ status: string }>(
      'SELECT status FROM orders WHERE live_id = $1',
      [liveId],
    );
    expect(orders.rows.map((r) => r.status)).toEqual(['settled', 'settled']);
    const report = await http<CommerceReport>(s, 'GET', `/api/lives/${liveId}/report`, undefined, host.token);
    expect(report.body).toMatchObject({ orders: 2, units: 2, reconciliation: [{ ok: true }] });
  });

  it('restores an order whose ledger write was lost from the paid reservation in Redis', async () => {
    const { host, liveId, sale } = await liveWithSale(s, { units: 5 });
    const u = await guest(s);
    const r = await reserve(s, u.token, liveId, sale.id);
    await pay(s, u.token, liveId, r.body.id);
    await waitFor(
      async () =>
        (await s.built.deps.db.query('SELECT 1 FROM orders WHERE live_id = $1', [liveId])).rowCount === 1,
      5000,
      'order',
    );
    // Simulate a crash between the Redis confirmation and the ledger write.
    await s.built.deps.db.tx(async (q) => {
      await q.query('DELETE FROM orders WHERE live_id = $1', [liveId]);
      await q.query(
        'DELETE FROM payment_events WHERE payment_id IN (SELECT id FROM payments WHERE live_id = $1)',
        [liveId],
      );
      await q.query('DELETE FROM payments WHERE live_id = $1', [liveId]);
    });
    expect(await settle(liveId, host.token)).toMatchObject({ reconciled: true, repairedOrders: 1 });
    const orders = await s.built.deps.db.query<{ reservation_id: string; status: string }>(
      'SELECT reservation_id, status FROM orders WHERE live_id = $1',
      [liveId],
    );
    expect(orders.rows).toEqual([{ reservation_id: r.body.id, status: 'settled' }]);
  });
});

describe('merchant webhooks that used up their attempts', () => {
  it('are delivered when settlement runs again after the receiver comes back', async () => {
    const port = await freePort();
    const s = await startServer({
      env: {
        SALE_FAIR_WINDOW_MS: '0',
        MERCHANT_WEBHOOK_URL: `http://127.0.0.1:${port}/hooks`,
        MERCHANT_WEBHOOK_BACKOFF_MS: '20',
        MERCHANT_WEBHOOK_ATTEMPTS: '2',
      },
    });
    const config = loadConfig(s.env);
    const worker = await buildWorker(config, pino({ level: 'silent' }), s.built.infra);
    const receiver = merchantReceiver(port, merchantWebhookSecret(config));
    try {
      const { host, liveId } = await liveWithSale(s, { units: 3 });
      await http(s, 'POST', `/api/lives/${liveId}/end`, undefined, host.token);
      const failed = async () =>
        (
          await s.built.deps.db.query<{ attempts: number }>(
            'SELECT attempts FROM merchant_webhooks WHERE live_id = $1 AND delivered_at IS NULL',
            [liveId],
          )
        ).rows;
      await waitFor(async () => (await failed()).some((r) => r.attempts >= 2), 10_000, 'attempts used up');
      await receiver.up();
      await new Promise((r) => setTimeout(r, 300));
      expect(receiver.received).toHaveLength(0);
      const ctx = {
        liveId,
        endedAt: new Date().toISOString(),
        db: worker.infra.db,
        redis: worker.infra.redis,
        keys: worker.infra.keys,
        log: pino({ level: 'silent' }),
        progress: async () => {},
      };
      await worker.steps.get('commerce-settlement')!.run(ctx);
      await waitFor(() => receiver.received.length === 1, 10_000, 'delivered');
      expect(receiver.received[0]).toMatchObject({
        id: `live-${liveId}-settled`,
        type: 'live.settled',
        signed: true,
      });
      // NOTE: the outcome is recorded after the receiver's 2xx: wait for the row, not only the request.
      await waitFor(async () => (await failed()).length === 0, 10_000, 'recorded as delivered');
      expect(await failed()).toEqual([]);
    } finally {
      await receiver.down();
      await worker.close();
      await s.close();
    }
  });
});

describe.each(['pglite', 'postgres'] as const)('Redis commerce keys after settlement on %s', (ledger) => {
  let s: TestServer;
  let worker: Awaited<ReturnType<typeof buildWorker>>;
  beforeAll(async () => {
    s = await startServer({ ledger, env: { SALE_FAIR_WINDOW_MS: '0', COMMERCE_KEYS_RETAIN_SEC: '0' } });
    worker = await buildWorker(
      loadConfig(s.env),
      pino({ level: 'silent' }),
      ledger === 'pglite' ? s.built.infra : undefined,
    );
  });
  afterAll(async () => {
    await worker?.close();
    await s?.close();
  });

  it('are gone once the live settled clean, and settling again changes nothing and reports no mismatch', async () => {
    const { redis, keys, db, endQueue } = s.built.deps;
    const { host, liveId, sale, product } = await liveWithSale(s, { units: 10, perUserLimit: 2 });
    const buyers = await guests(s, 3);
    const holds = await Promise.all(buyers.map((u) => reserve(s, u.token, liveId, sale.id)));
    await Promise.all([0, 1].map((i) => pay(s, buyers[i]!.token, liveId, holds[i]!.body.id)));
    await waitFor(
      async () => (await db.query('SELECT 1 FROM orders WHERE live_id = $1', [liveId])).rowCount === 2,
      5000,
      'orders',
    );
    const commerceKeys = commerceKeysOf(keys, liveId, [sale.id], [product.id]);
    const present = async () => {
      const n = await Promise.all(commerceKeys.map((k) => redis.exists(k)));
      return commerceKeys.filter((_, i) => n[i] === 1);
    };
    // Before the end the hot keys exist (stock, reservations, idempotency, sale state).
    expect(await present()).toEqual(
      expect.arrayContaining([
        keys.sale(liveId, sale.id),
        keys.reservations(liveId),
        keys.idempotency(liveId),
        keys.saleUsers(liveId, sale.id),
      ]),
    );
    await http(s, 'POST', `/api/lives/${liveId}/end`, undefined, host.token);
    const job = await waitFor(() => endQueue.getJob(`${COMMERCE_SETTLEMENT_STEP}-${liveId}`), 10_000, 'job');
    await waitFor(async () => (await job.getState()) === 'completed', 20_000, 'settlement completed');
    const first = (await endQueue.getJob(job.id!))!.returnvalue;
    expect(first).toMatchObject({ reconciled: true, settled: 2, releasedUnits: 1 });
    expect(first.keysReleased).toBe(commerceKeys.length);
    expect(await present()).toEqual([]);
    expect(await redis.zscore(keys.activeSales, `${liveId}/${sale.id}`)).toBeNull();
    const before = await ledgerState(db, liveId);
    expect(before.orders.map((o) => o.status)).toEqual(['settled', 'settled']);

    // Settling again after the cleanup: the ledger-only path, no false mismatch, no key comes back.
    const again = await worker.steps.get('commerce-settlement')!.run({
      liveId,
      endedAt: new Date().toISOString(),
      db: worker.infra.db,
      redis: worker.infra.redis,
      keys: worker.infra.keys,
      log: pino({ level: 'silent' }),
      progress: async () => {},
    });
    expect(again).toMatchObject({ reconciled: true, problems: [], settled: 0, orders: 2 });
    expect(await ledgerState(db, liveId)).toEqual(before);
    expect(await present()).toEqual([]);
    const report = await http<CommerceReport>(s, 'GET', `/api/lives/${liveId}/report`, undefined, host.token);
    expect(report.body).toMatchObject({ orders: 2, units: 2, reconciliation: [{ ok: true }] });
    // Buyers still see their orders: they are read from the ledger.
    const mine = await http<{ orders: Array<{ status: string }> }>(
      s,
      'GET',
      `/api/lives/${liveId}/orders`,
      undefined,
      buyers[0]!.token,
    );
    expect(mine.body.orders.map((o) => o.status)).toEqual(['settled']);
  });

  it('stay as evidence when the reconciliation found a mismatch', async () => {
    const { redis, keys } = s.built.deps;
    const { host, liveId, sale } = await liveWithSale(s, { units: 10 });
    const [u] = await guests(s, 1);
    await reserve(s, u!.token, liveId, sale.id);
    await redis.hincrby(keys.sale(liveId, sale.id), 'remaining', 2);
    await http(s, 'POST', `/api/lives/${liveId}/end`, undefined, host.token);
    const job = await waitFor(
      () => s.built.deps.endQueue.getJob(`${COMMERCE_SETTLEMENT_STEP}-${liveId}`),
      10_000,
      'job',
    );
    await waitFor(async () => (await job.getState()) === 'completed', 20_000, 'settlement completed');
    expect((await s.built.deps.endQueue.getJob(job.id!))!.returnvalue).toMatchObject({
      reconciled: false,
      keysReleased: 0,
    });
    expect(await saleCounters(s, liveId, sale.id)).toMatchObject({ initial: 10, remaining: 12 });
    expect(await redis.ttl(keys.sale(liveId, sale.id))).toBe(-1);
  });
});
