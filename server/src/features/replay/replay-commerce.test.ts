/**
 * Buying from the replay on the real stack: a node and its job worker on Redis and the ledger (PGlite and
 * PostgreSQL), a live with a flash sale and a pinned product, ended and settled; then concurrent viewers buy the
 * pinned product from the published replay through the normal pay route (simulated provider, signed webhooks).
 * The recording's rows are written the way the recorder writes them (no ffmpeg here: replay.test.ts records).
 */
import { randomUUID } from 'node:crypto';
import type { Order } from '@lc/contracts/commerce.schema';
import type { Recording } from '@lc/contracts/replay.schema';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addProduct,
  guests,
  pay,
  request,
  reserve,
  saleCounters,
  scheduleSale,
} from '../../../../test/commerce';
import { guest, hostWithLive, http, startServer, type TestServer, waitFor } from '../../../../test/server';
import { loadConfig } from '../../config';
import { createRecordingsRepo } from '../../ledger/recordings.repo';
import { buildWorker } from '../../worker-app';
import { COMMERCE_SETTLEMENT_STEP } from '../commerce/settlement/settlement.jobs';

type Body = { id: string; error?: { code: string } };

describe.each(['pglite', 'postgres'] as const)('buying from the replay on %s', (ledger) => {
  let s: TestServer;
  let worker: Awaited<ReturnType<typeof buildWorker>>;
  beforeAll(async () => {
    s = await startServer({ ledger, env: { SALE_FAIR_WINDOW_MS: '0' } });
    // NOTE: PGlite has one owner, so there the worker shares the API node's infrastructure (as main.ts does).
    worker = await buildWorker(
      loadConfig(s.env),
      pino({ level: 'silent' }),
      ledger === 'pglite' ? s.built.infra : undefined,
    );
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await s?.close();
  });

  const buy = (token: string, liveId: string, body: unknown, key: string | null = randomUUID()) =>
    request<Body>(s, 'POST', `/api/lives/${liveId}/recording/reservations`, {
      token,
      body,
      headers: key === null ? {} : { 'idempotency-key': key },
    });
  const ordersOf = async (token: string, liveId: string) =>
    (await http<{ orders: Order[] }>(s, 'GET', `/api/lives/${liveId}/orders`, undefined, token)).body.orders;
  const runStep = (name: string, liveId: string) =>
    worker.steps.get(name)!.run({
      liveId,
      endedAt: new Date().toISOString(),
      db: worker.infra.db,
      redis: worker.infra.redis,
      keys: worker.infra.keys,
      log: pino({ level: 'silent' }),
      progress: async () => {},
    }) as Promise<Record<string, unknown>>;

  /** A live recorded for 20 s (one run), a flash sale of 2 of the product's 5 units, the product pinned. */
  async function recordedLive() {
    const { host, liveId } = await hostWithLive(s);
    const repo = createRecordingsRepo(s.built.deps.db);
    const startedAt = Date.now();
    await repo.runStarted(liveId, 1, startedAt);
    const product = await addProduct(s, host.token, liveId, { title: '龙井 tea', price: 9900, stock: 5 });
    const other = await addProduct(s, host.token, liveId, { title: 'Cup', stock: 5 });
    const sale = await scheduleSale(s, host.token, liveId, product.id, { units: 2, perUserLimit: 1 });
    const pin = await http(
      s,
      'PUT',
      `/api/lives/${liveId}/pinned-product`,
      { productId: product.id },
      host.token,
    );
    expect(pin.status).toBe(200);
    // One buyer during the live: a live order, settled by the live's settlement.
    const [liveBuyer] = await guests(s, 1);
    const r = await reserve(s, liveBuyer!.token, liveId, sale.id);
    expect((await pay(s, liveBuyer!.token, liveId, r.body.id)).status).toBe(202);
    await waitFor(async () => (await ordersOf(liveBuyer!.token, liveId)).length === 1, 15_000, 'live order');
    const endAt = Date.now();
    await repo.runEnded(liveId, 1, endAt, 'live-ended');
    await repo.setRunSeconds(liveId, 1, 20);
    await repo.finish(liveId, { status: 'ended', at: endAt, bytes: 1000, durationMs: 20_000 });
    return { host, liveId, product, other, sale, liveBuyer: liveBuyer!, startedAt };
  }

  async function endAndSettle(liveId: string, hostToken: string) {
    expect((await http(s, 'POST', `/api/lives/${liveId}/end`, undefined, hostToken)).status).toBe(200);
    const job = await waitFor(
      () => s.built.deps.endQueue.getJob(`${COMMERCE_SETTLEMENT_STEP}-${liveId}`),
      10_000,
      'settlement job',
    );
    await waitFor(async () => (await job.getState()) === 'completed', 30_000, 'settlement completed');
    const repo = createRecordingsRepo(s.built.deps.db);
    await waitFor(async () => (await repo.get(liveId))?.chapters, 30_000, 'chapters');
  }

  it('sells the pinned product after the live: oversold 0 under concurrent buyers, attributed, settled once', async () => {
    const { host, liveId, product, other, sale, liveBuyer } = await recordedLive();
    const viewer = await guest(s, 'early viewer');
    const body = { productId: product.id, quantity: 1, offsetMs: 12_000 };

    // While the live is on, the replay sells nothing (the host may already read the recording).
    expect((await buy(host.token, liveId, body)).body.error?.code).toBe('REPLAY_NOT_READY');
    await endAndSettle(liveId, host.token);
    const rec = (await http<Recording>(s, 'GET', `/api/lives/${liveId}/recording`, undefined, host.token))
      .body;
    const pinned = rec.chapters!.findIndex((c) => c.type === 'product-pinned' && c.productId === product.id);
    expect(pinned).toBeGreaterThanOrEqual(0);
    const pinOffset = rec.chapters![pinned]!.offsetMs;

    // Unpublished: viewers are refused; then the host publishes.
    expect((await buy(viewer.token, liveId, body)).body.error?.code).toBe('RECORDING_NOT_PUBLISHED');
    await http(s, 'POST', `/api/lives/${liveId}/recording/publish`, { published: true }, host.token);

    // The live's own mechanics stay closed after the end.
    const flash = await reserve(s, viewer.token, liveId, sale.id);
    expect([flash.status, flash.body.error?.code]).toEqual([409, 'SALE_ENDED']);
    // Bad input gets stable errors.
    const refusals = [
      [await buy(viewer.token, liveId, { ...body, productId: other.id }), 404, 'REPLAY_PRODUCT_NOT_SHOWN'],
      [await buy(viewer.token, liveId, { ...body, offsetMs: 20_001 }), 400, 'VALIDATION'],
      [await buy(viewer.token, liveId, { ...body, quantity: 0 }), 400, 'VALIDATION'],
      [await buy(viewer.token, liveId, body, null), 400, 'IDEMPOTENCY_KEY_REQUIRED'],
      [await buy(viewer.token, randomUUID(), body), 404, 'LIVE_NOT_FOUND'],
    ] as const;
    for (const [res, status, code] of refusals)
      expect([res.status, res.body.error?.code]).toEqual([status, code]);

    // 12 viewers race for the 3 units left (5 in stock, 2 went to the flash sale); each sits somewhere else.
    const buyers = await guests(s, 12);
    const keys = buyers.map(() => randomUUID());
    const offsets = buyers.map((_, i) => pinOffset + i * 500);
    const results = await Promise.all(
      buyers.map((b, i) => buy(b.token, liveId, { ...body, offsetMs: offsets[i] }, keys[i]!)),
    );
    const won = results.flatMap((r, i) => (r.status === 201 ? [i] : []));
    expect(won).toHaveLength(3);
    expect(results.filter((r) => r.status !== 201).map((r) => r.body.error?.code)).toEqual(
      Array(9).fill('SOLD_OUT'),
    );
    // The same key and body again: the first outcome, not a second reservation.
    const first = won[0]!;
    const again = await buy(
      buyers[first]!.token,
      liveId,
      { ...body, offsetMs: offsets[first] },
      keys[first]!,
    );
    expect([again.status, again.body.id]).toEqual([201, results[first]!.body.id]);

    // Pay concurrently through the normal pay route (one payment replayed under its key).
    const payKey = randomUUID();
    const paid = await Promise.all([
      ...won.map((i) =>
        pay(s, buyers[i]!.token, liveId, results[i]!.body.id, i === first ? payKey : randomUUID()),
      ),
      pay(s, buyers[first]!.token, liveId, results[first]!.body.id, payKey),
    ]);
    expect(paid.map((p) => p.status)).toEqual([202, 202, 202, 202]);
    expect(paid[3]!.body.paymentId).toBe(paid[0]!.body.paymentId);

    const orders = await waitFor(
      async () => {
        const all = (await Promise.all(won.map((i) => ordersOf(buyers[i]!.token, liveId)))).flat();
        return all.length === 3 ? all : undefined;
      },
      20_000,
      'replay orders',
    );
    // The chapter showing at a position: the last one at or before it.
    const chapterAt = (offsetMs: number) => rec.chapters!.findLastIndex((c) => c.offsetMs <= offsetMs);
    expect(chapterAt(offsets[0]!)).toBe(pinned);
    for (const [n, i] of won.entries()) {
      const o = orders[n]!;
      expect(o).toMatchObject({
        source: 'replay',
        status: 'paid',
        productId: product.id,
        unitPrice: 9900,
        reservationId: results[i]!.body.id,
        replay: { offsetMs: offsets[i], chapter: chapterAt(offsets[i]!) },
      });
    }
    // Oversold 0: sold + reserved + remaining = initial in Redis, and the ledger agrees.
    const replaySaleId = orders[0]!.saleId;
    expect(replaySaleId).not.toBe(sale.id);
    expect(await saleCounters(s, liveId, replaySaleId)).toEqual({
      initial: 3,
      remaining: 0,
      reserved: 0,
      sold: 3,
    });
    const db = s.built.deps.db;
    const ledgerUnits = await db.query<{ units: number; orders: number }>(
      `SELECT coalesce(sum(quantity), 0)::int AS units, count(*)::int AS orders FROM orders WHERE sale_id = $1`,
      [replaySaleId],
    );
    expect(ledgerUnits.rows[0]).toEqual({ units: 3, orders: 3 });
    const product5 = await db.query<{ allocated: number; stock: number }>(
      'SELECT allocated, stock FROM products WHERE id = $1',
      [product.id],
    );
    expect(product5.rows[0]).toEqual({ allocated: 5, stock: 5 });

    // Settled exactly once by the replay settlement; the live's order is left as the live settled it.
    const liveOrderBefore = (
      await db.query(`SELECT id, status, settled_at FROM orders WHERE live_id = $1 AND source = 'live'`, [
        liveId,
      ])
    ).rows;
    expect(liveOrderBefore).toHaveLength(1);
    expect(liveOrderBefore[0]).toMatchObject({ status: 'settled' });
    expect(await runStep('replay-settlement', liveId)).toMatchObject({
      sales: 1,
      settled: 3,
      repairedOrders: 0,
    });
    expect(await runStep('replay-settlement', liveId)).toMatchObject({
      sales: 1,
      settled: 0,
      repairedOrders: 0,
    });
    // The live's settlement run again settles none of them (and no replay order twice).
    await runStep(COMMERCE_SETTLEMENT_STEP, liveId);
    const after = await db.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM orders WHERE live_id = $1 AND source = 'replay' GROUP BY status`,
      [liveId],
    );
    expect(after.rows).toEqual([{ status: 'settled', n: 3 }]);
    expect(
      (
        await db.query(`SELECT id, status, settled_at FROM orders WHERE live_id = $1 AND source = 'live'`, [
          liveId,
        ])
      ).rows,
    ).toEqual(liveOrderBefore);
    const events = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM merchant_webhooks w JOIN orders o ON w.event_id = 'order-' || o.id
       WHERE o.live_id = $1 AND o.source = 'replay'`,
      [liveId],
    );
    expect(events.rows[0]!.n).toBe(3);
    // Each purchase queued the replay settlement for its minute.
    const delayed = await s.built.deps.endQueue.getDelayed();
    expect(delayed.some((j) => j.name === 'replay-settlement' && j.data.liveId === liveId)).toBe(true);
    expect((await ordersOf(liveBuyer.token, liveId))[0]).toMatchObject({ source: 'live', replay: null });
  }, 120_000);
});
