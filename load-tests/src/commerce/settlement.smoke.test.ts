/**
 * CI smoke of the settlement scenario (benchmark #8) at tiny scale against a real API node and job worker
 * (test/server.ts, PGlite ledger, the suite's Redis): verdicts only, never speed. Then proof that its verdicts
 * can fail: a duplicated webhook delivery, a missing order and a second run that settled again.
 */
import { randomBytes } from 'node:crypto';
import type { Order } from '@lc/contracts/commerce.schema';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { buildWorker, freePort, loadConfig } from '../../../server/src/testkit';
import { startServer } from '../../../test/server';
import { runScenario } from '../run';
import type { ScenarioDef } from '../scenario';
import type { MerchantReceiver } from './merchant-receiver';
import { settlementScenario } from './settlement.scenario';
import { type StepResult, settlementVerdicts } from './settlement-verdicts';

describe('settlement scenario at tiny scale (verdicts only)', () => {
  it('settles every paid order once, releases unpaid holds and the keys, delivers each webhook once; a rerun changes nothing', async () => {
    const merchantPort = await freePort();
    const merchantSecret = randomBytes(32).toString('hex');
    const s = await startServer({
      env: {
        MERCHANT_WEBHOOK_URL: `http://127.0.0.1:${merchantPort}/merchant`,
        MERCHANT_WEBHOOK_SECRET: merchantSecret,
        MERCHANT_WEBHOOK_BACKOFF_MS: '100',
        COMMERCE_KEYS_RETAIN_SEC: '0',
        SALE_FAIR_WINDOW_MS: '0',
      },
    });
    // NOTE: PGlite has one owner, so the worker shares the node's infrastructure (as main.ts does).
    const worker = await buildWorker(loadConfig(s.env), pino({ level: 'silent' }), s.built.infra);
    try {
      const def = settlementScenario as unknown as ScenarioDef;
      const r = await runScenario({
        def,
        options: def.options.parse({
          orders: '12',
          unpaid: '3',
          buyers: '4',
          concurrency: '8',
          webhookWait: '20',
          merchantPort: String(merchantPort),
          merchantSecret,
          redisUrl: s.env.REDIS_URL,
          redisPrefix: s.env.REDIS_PREFIX,
        }),
        target: {
          kind: 'endpoint',
          endpoint: {
            label: 'project',
            url: s.url,
            resources: { kind: 'metrics', url: s.url },
            metricsUrl: s.url,
            stop: async () => {},
          },
        },
        baselines: 'in-process',
      });
      expect(r.verdicts.filter((v) => !v.pass)).toEqual([]);
      expect(r.metrics.orders).toBe(12);
      expect(r.details?.firstRun).toMatchObject({ settled: 12, releasedUnits: 3, reconciled: true });
      expect(r.details?.secondRun).toMatchObject({ settled: 0, keysReleased: 0, reconciled: true });
    } finally {
      await worker.close();
      await s.close();
    }
  }, 60_000);
});

describe('the settlement verdicts can fail', () => {
  const order = (id: string, reservationId: string): Order => ({
    id,
    liveId: 'l',
    reservationId,
    paymentId: `p-${id}`,
    saleId: 's',
    productId: 'p',
    userId: 'u',
    quantity: 1,
    unitPrice: 1,
    subtotal: 1,
    discount: 0,
    total: 1,
    currency: 'CNY',
    couponId: null,
    status: 'settled',
    createdAt: new Date(0).toISOString(),
    source: 'live',
    replay: null,
  });
  const step: StepResult = {
    releasedUnits: 0,
    orders: 2,
    settled: 2,
    reconciled: true,
    problems: [],
    keysReleased: 20,
  };
  const receiver = (ids: Record<string, number>): MerchantReceiver =>
    ({
      deliveries: new Map(Object.entries(ids)),
      events: new Map(
        Object.keys(ids).map((id) => [
          id,
          { id, type: id.startsWith('order-') ? 'order.settled' : 'live.settled', data: {} },
        ]),
      ),
      badSignatures: 0,
      malformed: 0,
      lastAt: 0,
      total: () => Object.values(ids).reduce((a, b) => a + b, 0),
      close: async () => {},
    }) as unknown as MerchantReceiver;
  const keys = { keys: 20, present: 0, persistent: [], activeSale: false };
  const input = (over: Partial<Parameters<typeof settlementVerdicts>[0]> = {}) => {
    const orders = [order('o1', 'r1'), order('o2', 'r2')];
    return settlementVerdicts({
      bought: {
        buyerTokens: ['t'],
        paid: new Map([
          ['r1', 0],
          ['r2', 0],
        ]),
        unpaid: new Map(),
        errors: {},
      },
      before: orders,
      stockBefore: { initial: 2, remaining: 0, reserved: 0, sold: 2, version: 1 },
      first: step,
      after: orders,
      keysAfter: keys,
      receiver: receiver({ 'order-o1': 1, 'order-o2': 1, 'live-l-settled': 1 }),
      rerun: { result: { ...step, settled: 0, keysReleased: 0 } },
      afterRerun: { orders, keys, deliveries: 0 },
      ...over,
    });
  };
  const failing = (v: ReturnType<typeof settlementVerdicts>) => v.filter((x) => !x.pass).map((x) => x.name);

  it('a webhook event id delivered twice fails the exactly-once verdict', () => {
    const v = input({ receiver: receiver({ 'order-o1': 2, 'order-o2': 1, 'live-l-settled': 1 }) });
    expect(failing(v)).toContain('merchant webhooks: each event id received exactly once, signed');
  });

  it('a paid reservation without its order, or with two, fails the ledger verdict', () => {
    const one = [order('o1', 'r1')];
    expect(failing(input({ after: one }))).toContain('every paid order settled exactly once in the ledger');
    const two = [order('o1', 'r1'), order('o2', 'r2'), order('o3', 'r2')];
    expect(failing(input({ after: two }))).toContain('every paid order settled exactly once in the ledger');
  });

  it('a second run that settles again, or keys left without expiry, fail their verdicts', () => {
    const orders = [order('o1', 'r1'), order('o2', 'r2')];
    const v = input({
      rerun: { result: { ...step, settled: 2 } },
      keysAfter: { ...keys, present: 1, persistent: ['k'] },
      afterRerun: { orders, keys, deliveries: 0 },
    });
    expect(failing(v)).toEqual(
      expect.arrayContaining([
        'a second settlement run changes nothing',
        'commerce keys released after settlement',
      ]),
    );
  });
});
