/**
 * The reserve gate on real Redis with a controlled clock: the window's edges to the millisecond, the fair
 * window's shuffle (statistically) versus arrival order after it, expiry exactly once, and fail-closed
 * behaviour when Redis is unreachable.
 */
import { randomUUID } from 'node:crypto';
import type { TokenClaims } from '@lc/contracts/auth.schema';
import type { Reservation } from '@lc/contracts/commerce.schema';
import { isAppError } from '@lc/contracts/errors';
import type { Live } from '@lc/contracts/live.schema';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomPrefix, waitFor } from '../../../../../test/server';
import { createRoomLog } from '../../../realtime/room-log';
import { closeRedis, createRedis } from '../../../redis/client';
import { createKeys, type Keys } from '../../../redis/keys';
import { loadScripts, type Scripts } from '../../../redis/scripts';
import { createLiveGate } from '../live-gate';
import { createPaymentsService } from '../payments/payments.service';
import { createReservationSweeper } from './reservation-sweeper';
import { initialSaleHash, type SaleConfig } from './sale-state';
import { createSalesService, type SalesSettings } from './sales.service';
import { createStockAnnouncer } from './stock-announcer';

const T0 = 1_800_000_000_000;
let redis: Redis;
let scripts: Scripts;
let keys: Keys;
let clock = T0;
const now = () => clock;

beforeAll(() => {
  redis = createRedis(inject('redisUrl'), 'fair-admission-test');
  scripts = loadScripts(redis);
  keys = createKeys(randomPrefix());
});
afterAll(async () => closeRedis(redis));

const user = (i: number | string) =>
  ({ sub: `u${i}`, name: `u${i}`, role: 'viewer' }) as unknown as TokenClaims;

/** A sales service over real Redis; the ledger-backed parts (scheduling) are not used here. */
function salesService(settings: Partial<SalesSettings> = {}, r: Redis = redis, s: Scripts = scripts) {
  const roomLog = createRoomLog({ redis: r, scripts: s, keys, maxLen: 1000, now });
  const live = { status: 'live', hostId: 'host' } as Live;
  return createSalesService({
    repo: undefined as never,
    products: undefined as never,
    redis: r,
    keys,
    scripts: s,
    roomLog,
    gate: createLiveGate({ lives: { get: async (id) => ({ ...live, id }) }, now }),
    announcer: createStockAnnouncer({ scripts: s, keys, roomLog, intervalMs: 100, now }),
    settings: { fairWindowMs: 200, reservationTtlMs: 60_000, ...settings },
    now,
  });
}

/** Writes a sale's Redis state directly (what scheduling does after the ledger write). */
async function seedSale(over: Partial<SaleConfig> & { opensAt: number; fairUntil: number }) {
  const c: SaleConfig = {
    id: randomUUID(),
    liveId: randomUUID(),
    productId: randomUUID(),
    title: 'Tea',
    imageUrl: null,
    listPrice: 200,
    dealPrice: 100,
    currency: 'CNY',
    units: 1000,
    perUserLimit: 1,
    productPerUserLimit: 0,
    countdownAt: over.opensAt - 10_000,
    closesAt: over.opensAt + 600_000,
    ...over,
  };
  await scripts.run('sale-create', [keys.sale(c.liveId, c.id), keys.sales(c.liveId)], initialSaleHash(c));
  return c;
}

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (err) => (isAppError(err) ? err.code : `THROWN ${err}`),
  );

/** Spearman rank correlation of two permutations of 1..n. */
function spearman(a: number[], b: number[]): number {
  const n = a.length;
  const d2 = a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
}

describe('the reserve gate', () => {
  it('refuses an attempt 1 ms before open and 0 ms after close; accepts at open', async () => {
    const sales = salesService({ fairWindowMs: 0 });
    const sale = await seedSale({ opensAt: T0 + 10_000, fairUntil: T0 + 10_000 });
    clock = sale.opensAt - 1;
    const early = sales.reserve(user('early'), sale.liveId, sale.id, 'k-early', { quantity: 1 });
    await expect(early).rejects.toMatchObject({ code: 'SALE_NOT_OPEN', details: { opensAt: sale.opensAt } });
    clock = sale.opensAt;
    expect(
      (await sales.reserve(user('early'), sale.liveId, sale.id, 'k-early', { quantity: 1 })).status,
    ).toBe('reserved');
    clock = sale.closesAt - 1;
    expect(await code(sales.reserve(user('last'), sale.liveId, sale.id, 'k', { quantity: 1 }))).toBe('OK');
    clock = sale.closesAt;
    expect(await code(sales.reserve(user('late'), sale.liveId, sale.id, 'k', { quantity: 1 }))).toBe(
      'SALE_ENDED',
    );
    // A decided attempt still replays after the close.
    expect(
      (await sales.reserve(user('early'), sale.liveId, sale.id, 'k-early', { quantity: 1 })).admission,
    ).toBe(1);
  });

  it('admits attempts inside the fair window in random order, and after it in arrival order', async () => {
    const n = 200;
    const sales = salesService({ fairWindowMs: 200, fairChunk: 16 });
    const sale = await seedSale({ opensAt: T0 + 100_000, fairUntil: T0 + 100_200 });
    clock = sale.opensAt;
    const pending: Array<Promise<Reservation>> = [];
    for (let i = 0; i < n; i++) {
      clock = sale.opensAt + i; // arrival order = i, all inside the window
      pending.push(sales.reserve(user(`w${i}`), sale.liveId, sale.id, `k${i}`, { quantity: 1 }));
      await waitFor(
        () => redis.hexists(keys.idempotency(sale.liveId), `uw${i}\nk${i}`),
        2000,
        `attempt ${i} queued`,
      );
    }
    clock = sale.fairUntil;
    // Arrives after the window while the pass is unfinished: queued behind every window attempt.
    const late = await sales.reserve(user('late'), sale.liveId, sale.id, 'k-late', { quantity: 1 });
    const inWindow = await Promise.all(pending);
    const admission = inWindow.map((r) => r.admission);
    expect(new Set(admission)).toEqual(new Set(Array.from({ length: n }, (_, i) => i + 1)));
    expect(late.admission).toBe(n + 1);
    // Random order: rank correlation with arrival near 0 (|rho| < 0.3 is over 4 standard deviations).
    const rho = spearman(
      admission,
      admission.map((_, i) => i + 1),
    );
    expect(Math.abs(rho)).toBeLessThan(0.3);
    // After the window: first come, first served.
    const after: number[] = [];
    for (let i = 0; i < 30; i++) {
      clock = sale.fairUntil + 1 + i;
      after.push(
        (await sales.reserve(user(`a${i}`), sale.liveId, sale.id, `k${i}`, { quantity: 1 })).admission,
      );
    }
    expect(after).toEqual(Array.from({ length: 30 }, (_, i) => n + 2 + i));
  });

  it('gives a user one ticket in the window however many keys they send', async () => {
    const sales = salesService({ fairWindowMs: 200 });
    const sale = await seedSale({ opensAt: T0 + 200_000, fairUntil: T0 + 200_200, perUserLimit: 5 });
    clock = sale.opensAt;
    const attempts = Array.from({ length: 5 }, (_, i) =>
      sales.reserve(user('spammer'), sale.liveId, sale.id, `s${i}`, { quantity: 1 }),
    );
    await waitFor(async () => (await redis.zcard(keys.saleFair(sale.liveId, sale.id))) === 5, 2000, 'queued');
    expect(await redis.hlen(keys.saleTickets(sale.liveId, sale.id))).toBe(1);
    clock = sale.fairUntil;
    const admitted = (await Promise.all(attempts)).map((r) => r.admission).sort((x, y) => x - y);
    expect(admitted).toEqual([1, 2, 3, 4, 5]);
  });

  it('returns expired holds to stock exactly once, however many sweepers run', async () => {
    const sales = salesService({ fairWindowMs: 0, reservationTtlMs: 1000 });
    const sale = await seedSale({ opensAt: T0 + 300_000, fairUntil: T0 + 300_000, units: 10 });
    clock = sale.opensAt;
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        sales.reserve(user(`e${i}`), sale.liveId, sale.id, 'k', { quantity: 1 }),
      ),
    );
    expect(await code(sales.reserve(user('e10'), sale.liveId, sale.id, 'k', { quantity: 1 }))).toBe(
      'SOLD_OUT',
    );
    const sweepers = Array.from({ length: 8 }, () => createReservationSweeper({ redis, scripts, keys, now }));
    clock = sale.opensAt + 999;
    expect((await sweepers[0]!.sweepSale(sale.liveId, sale.id)).released).toBe(0);
    clock = sale.opensAt + 1000;
    const runs = await Promise.all(
      sweepers.flatMap((s) => [s.sweepSale(sale.liveId, sale.id), s.sweepSale(sale.liveId, sale.id)]),
    );
    expect(runs.reduce((n, r) => n + r.units, 0)).toBe(10);
    const h = await redis.hgetall(keys.sale(sale.liveId, sale.id));
    expect({ remaining: h.remaining, reserved: h.reserved, sold: h.sold }).toEqual({
      remaining: '10',
      reserved: '0',
      sold: '0',
    });
    const statuses = Object.values(await redis.hgetall(keys.reservations(sale.liveId))).map(
      (raw) => JSON.parse(raw).status,
    );
    expect(statuses).toEqual(Array(10).fill('expired'));
    expect(await redis.hlen(keys.saleUsers(sale.liveId, sale.id))).toBe(0);
    // The released buyers may try again (a new key is a new attempt; the old one replays its outcome).
    expect(await code(sales.reserve(user('e0'), sale.liveId, sale.id, 'k2', { quantity: 1 }))).toBe('OK');
    expect((await sales.reserve(user('e0'), sale.liveId, sale.id, 'k', { quantity: 1 })).status).toBe(
      'reserved',
    );
  });

  it('fails closed with SERVICE_UNAVAILABLE when Redis is unreachable (reserve and pay)', async () => {
    const dead = createRedis('redis://127.0.0.1:1', 'dead-redis', {
      maxRetriesPerRequest: 0,
      retryStrategy: () => 100,
    });
    dead.on('error', () => {});
    try {
      const sales = salesService({}, dead, loadScripts(dead));
      const sale = { liveId: randomUUID(), id: randomUUID() };
      expect(await code(sales.reserve(user('x'), sale.liveId, sale.id, 'k', { quantity: 1 }))).toBe(
        'SERVICE_UNAVAILABLE',
      );
      const deadScripts = loadScripts(dead);
      const payments = createPaymentsService({
        redis: dead,
        keys,
        scripts: deadScripts,
        orders: undefined as never,
        coupons: undefined as never,
        gate: createLiveGate({
          lives: { get: async (id) => ({ id, status: 'live', hostId: 'h' }) as Live },
          now,
        }),
        provider: undefined as never,
        announcer: createStockAnnouncer({
          scripts: deadScripts,
          keys,
          roomLog: undefined as never,
          intervalMs: 100,
          now,
        }),
        notices: { paid: () => {}, failed: () => {} },
        paymentTimeoutMs: 60_000,
        log: { warn: () => {}, info: () => {} },
        now,
      });
      const paid = payments.pay(user('x'), sale.liveId, randomUUID(), 'k', {
        method: 'card',
        simulate: 'succeed',
      });
      expect(await code(paid)).toBe('SERVICE_UNAVAILABLE');
    } finally {
      dead.disconnect();
    }
  });
});
