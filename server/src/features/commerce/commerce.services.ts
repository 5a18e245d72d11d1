/**
 * The commerce services of an API node, built once: products, flash sales, payments (simulated provider),
 * coupons, the stock announcer and a reservation sweeper (the worker runs the sweeps; exposed for operations
 * and tests). commerce.feature.ts registers them.
 */
import type { Redis } from 'ioredis';
import type { FeatureLog } from '../../composition/feature';
import type { Config } from '../../config';
import type { App } from '../../http/fastify';
import { createCouponsRepo } from '../../ledger/coupons.repo';
import type { Db } from '../../ledger/db';
import { createOrdersRepo } from '../../ledger/orders.repo';
import { createProductsRepo } from '../../ledger/products.repo';
import { createSalesRepo } from '../../ledger/sales.repo';
import type { RoomLog } from '../../realtime/room-log';
import { type AppServer, userRoom } from '../../realtime/types';
import type { Keys } from '../../redis/keys';
import type { Scripts } from '../../redis/scripts';
import { createCouponsService } from './coupons/coupons.service';
import { createLiveGate, type LiveLookup } from './live-gate';
import { createPaymentsService, type PaymentNotices } from './payments/payments.service';
import { createSimulatedProvider } from './payments/sim-provider';
import { createProductsService } from './products/products.service';
import { createReservationSweeper } from './sales/reservation-sweeper';
import { createSalesService } from './sales/sales.service';
import { createStockAnnouncer } from './sales/stock-announcer';
import { paymentWebhookSecret } from './secrets';

export function createCommerceServices(deps: {
  config: Config;
  log: FeatureLog;
  app: App;
  redis: Redis;
  db: Db;
  keys: Keys;
  scripts: Scripts;
  roomLog: RoomLog;
  lives: LiveLookup;
  io: () => AppServer;
  now?: () => number;
}) {
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

  return { gate, announcer, products, sales, coupons, provider, payments, sweeper };
}
export type CommerceServices = ReturnType<typeof createCommerceServices>;

/** This node's own base URL (known once it listens): where the simulated provider calls back. */
function ownUrl(app: App): string {
  const addr = app.server.address();
  if (addr && typeof addr === 'object') {
    const host = addr.family === 'IPv6' ? `[${addr.address === '::' ? '::1' : addr.address}]` : addr.address;
    return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}`;
  }
  return 'http://127.0.0.1:3000';
}
