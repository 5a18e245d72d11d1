/**
 * Composition of the commerce features on an API node (products, flash sales, payments, coupons, report):
 * builds their services once, registers routes, the `commerce` snapshot contributor and the buyers check,
 * and returns their socket handlers and background tasks. The worker side is commerce.worker.ts.
 */

import { CommerceReport, type CommerceSnapshot } from '@lc/contracts/commerce.schema';
import { AppError } from '@lc/contracts/errors';
import { LiveParams } from '@lc/contracts/live.schema';
import { BEARER_SECURITY } from '../../http/docs';
import type { App } from '../../http/fastify';
import { createCouponsRepo } from '../../ledger/coupons.repo';
import { createOrdersRepo } from '../../ledger/orders.repo';
import { createProductsRepo } from '../../ledger/products.repo';
import { createSalesRepo } from '../../ledger/sales.repo';
import { type AppServer, userRoom } from '../../realtime/types';
import type { FeatureDeps } from '../feature-deps';
import { commerceSocketHandlers } from './commerce.socket';
import { couponsRoutes } from './coupons/coupons.routes';
import { createCouponsService } from './coupons/coupons.service';
import { createLiveGate, type LiveLookup } from './live-gate';
import { paymentsRoutes } from './payments/payments.routes';
import { createPaymentsService, type PaymentNotices } from './payments/payments.service';
import { createSimulatedProvider } from './payments/sim-provider';
import { productsRoutes } from './products/products.routes';
import { createProductsService } from './products/products.service';
import { createReservationSweeper } from './sales/reservation-sweeper';
import { salesRoutes } from './sales/sales.routes';
import { createSalesService } from './sales/sales.service';
import { createStockAnnouncer } from './sales/stock-announcer';
import { paymentWebhookSecret } from './secrets';
import { readReport } from './settlement/report';

export async function buildCommerce(
  deps: FeatureDeps & {
    lives: LiveLookup;
    io: () => AppServer;
    /** Buyers-only chat (interaction feature): commerce says who bought. */
    buyers?: { register(fn: (liveId: string, userId: string) => Promise<boolean>): void };
    /** Like goals (interaction feature): a reached goal unlocks the coupons tied to it. */
    likeGoals?: {
      onGoalReached(hook: (ctx: { liveId: string; goal: { id: string } }) => Promise<void> | void): void;
    };
    now?: () => number;
  },
) {
  const { config, log, app, redis, db, keys, scripts, roomLog } = deps;
  const now = deps.now ?? Date.now;
  const gate = createLiveGate({ lives: deps.lives, now });
  const announcer = createStockAnnouncer({
    scripts,
    keys,
    roomLog,
    intervalMs: config.SALE_STOCK_BROADCAST_MS,
    now,
    onError: (err) => log.warn({ err }, 'stock broadcast failed'),
  });
  const productsRepo = createProductsRepo(db);
  const products = createProductsService({ repo: productsRepo, redis, keys, scripts, roomLog, gate });
  const sales = createSalesService({
    repo: createSalesRepo(db, productsRepo),
    products,
    redis,
    keys,
    scripts,
    roomLog,
    gate,
    announcer,
    settings: {
      fairWindowMs: config.SALE_FAIR_WINDOW_MS,
      reservationTtlMs: config.RESERVATION_TTL_SEC * 1000,
    },
    now,
  });
  const coupons = createCouponsService({
    repo: createCouponsRepo(db),
    db,
    redis,
    keys,
    scripts,
    roomLog,
    gate,
  });
  const provider = createSimulatedProvider({
    secret: paymentWebhookSecret(config),
    callbackUrl: () => config.PAYMENT_CALLBACK_URL ?? `${ownUrl(app)}/api/payments/webhooks/sim`,
    delayMs: config.PAYMENT_SIM_DELAY_MS,
    toleranceSec: config.PAYMENT_WEBHOOK_TOLERANCE_SEC,
    now,
    onError: (err) => log.error({ err }, 'simulated provider gave up delivering a webhook'),
  });
  const notices: PaymentNotices = {
    paid: (userId, liveId, order) => deps.io().to(userRoom(userId)).emit('order:paid', { liveId, order }),
    failed: (userId, liveId, p) =>
      deps
        .io()
        .to(userRoom(userId))
        .emit('payment:failed', { liveId, ...p }),
  };
  const payments = createPaymentsService({
    redis,
    keys,
    scripts,
    orders: createOrdersRepo(db),
    coupons,
    gate,
    provider,
    announcer,
    notices,
    paymentTimeoutMs: config.PAYMENT_TIMEOUT_SEC * 1000,
    log,
    now,
  });
  /** Not started here (the worker sweeps); exposed for operations and tests. */
  const sweeper = createReservationSweeper({ redis, scripts, keys, announcer, now });

  // Products, the pinned one and sales are shared by every viewer at one seq; coupons (with the caller's
  // claims) and reservations are the viewer's own.
  deps.snapshots.contribute('commerce', {
    room: async (live) => {
      const [list, pinnedProductId, saleList] = await Promise.all([
        products.list(live.id),
        products.pinned(live.id),
        sales.list(live.id),
      ]);
      return { products: list, pinnedProductId, sales: saleList };
    },
    viewer: async ({ live, user }, room): Promise<CommerceSnapshot> => {
      const [couponList, reservations] = await Promise.all([
        coupons.list(live.id, user.sub),
        sales.mine(live.id, user.sub),
      ]);
      return { ...room, coupons: couponList, reservations };
    },
  });
  deps.buyers?.register(async (liveId, userId) => (await redis.sismember(keys.buyers(liveId), userId)) === 1);
  deps.likeGoals?.onGoalReached(async ({ liveId, goal }) => {
    await coupons.onLikeGoalReached(liveId, goal.id);
  });

  productsRoutes(app, { products, urls: { allowHttp: config.NODE_ENV !== 'production' } });
  salesRoutes(app, { sales, now });
  couponsRoutes(app, { coupons });
  await paymentsRoutes(app, { payments, providerName: provider.name });
  app.get(
    '/api/lives/:liveId/report',
    {
      schema: {
        tags: ['commerce'],
        security: BEARER_SECURITY,
        summary: 'The post-live commerce report (host, moderators); written by settlement',
        params: LiveParams,
        response: { 200: CommerceReport },
      },
      config: { access: 'live-staff' },
    },
    async (req) => {
      const report = await readReport(db, req.params.liveId);
      if (!report) throw new AppError('NOT_FOUND', 'the report is written when settlement has run');
      return report;
    },
  );

  return {
    handlers: commerceSocketHandlers({ products, coupons }),
    gate,
    products,
    sales,
    coupons,
    payments,
    provider,
    announcer,
    sweeper,
    /** This node ended the live: close its sales now (settlement does it too, for every node's sake). */
    async onLiveEnded(liveId: string): Promise<void> {
      const at = now();
      await redis.hsetnx(keys.commerce(liveId), 'ended', String(at));
      await sales.closeAll(liveId, at);
    },
    /** Starts the stock broadcaster; returns the stop function. */
    start(): () => Promise<void> {
      announcer.start();
      return async () => {
        await announcer.stop();
        await provider.close?.();
      };
    },
  };
}
export type Commerce = Awaited<ReturnType<typeof buildCommerce>>;

/** This node's own base URL (known once it listens): where the simulated provider calls back. */
function ownUrl(app: App): string {
  const addr = app.server.address();
  if (addr && typeof addr === 'object') {
    const host = addr.family === 'IPv6' ? `[${addr.address === '::' ? '::1' : addr.address}]` : addr.address;
    return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}`;
  }
  return 'http://127.0.0.1:3000';
}
