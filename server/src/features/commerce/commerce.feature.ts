/**
 * Commerce: products, flash sales with fair admission, payments, coupons and the post-live report on the API
 * node; on the worker the reservation sweeper (expired holds back to stock), stock broadcasts for what it
 * releases, merchant webhooks and the `commerce-settlement` end-of-live step.
 */
import type { CommerceSnapshot } from '@lc/contracts/commerce.schema';
import { defineFeature } from '../../composition/feature';
import { createRoomLog } from '../../realtime/room-log';
import { type CommerceServices, createCommerceServices } from './commerce.services';
import { commerceSocketHandlers } from './commerce.socket';
import { couponsRoutes } from './coupons/coupons.routes';
import { paymentsRoutes } from './payments/payments.routes';
import { productsRoutes } from './products/products.routes';
import { createReservationSweeper } from './sales/reservation-sweeper';
import { leanReserveRoute } from './sales/reserve.lean';
import { salesRoutes } from './sales/sales.routes';
import { createStockAnnouncer } from './sales/stock-announcer';
import { merchantWebhookSecret } from './secrets';
import { startMerchantWebhooks } from './settlement/merchant-webhooks.jobs';
import { replaySettlementStep } from './settlement/replay-settlement.jobs';
import { reportRoutes } from './settlement/report.routes';
import { commerceSettlementStep } from './settlement/settlement.jobs';

declare module '../../composition/services' {
  interface Services {
    commerce: CommerceServices;
    coupons: CommerceServices['coupons'];
  }
}

export const commerceFeature = defineFeature({
  name: 'commerce',
  async api(ctx) {
    const { app, redis, keys } = ctx;
    const c = createCommerceServices({ ...ctx, lives: ctx.use('lives'), io: () => ctx.io() });
    const { products, sales, coupons } = c;

    // Products, the pinned one and sales are shared by every viewer at one seq; coupons (with the caller's
    // claims) and reservations are the viewer's own.
    ctx.snapshots.contribute('commerce', {
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
    // Buyers-only chat: whoever paid in this live.
    ctx
      .use('buyers')
      .register(async (liveId, userId) => (await redis.sismember(keys.buyers(liveId), userId)) === 1);
    // A reached like goal unlocks the coupons tied to it.
    ctx.use('likes').onGoalReached(async ({ liveId, goal }) => {
      await coupons.onLikeGoalReached(liveId, goal.id);
    });
    // The node that ends a live closes its sales at once (settlement does it too, for every node's sake).
    ctx.use('lives').onEnded((liveId) => {
      const at = Date.now();
      (async () => {
        await redis.hsetnx(keys.commerce(liveId), 'ended', String(at));
        await sales.closeAll(liveId, at);
      })().catch((err) => ctx.log.warn({ err, liveId }, 'closing sales failed'));
    });

    productsRoutes(app, { products, urls: { allowHttp: ctx.config.NODE_ENV !== 'production' } });
    salesRoutes(app, { sales, now: Date.now });
    ctx.lean.add(leanReserveRoute({ lean: ctx.lean, tokens: ctx.tokens, sales }));
    couponsRoutes(app, { coupons });
    await paymentsRoutes(app, { payments: c.payments, providerName: c.provider.name });
    reportRoutes(app, { db: ctx.db });
    ctx.handle(...commerceSocketHandlers({ products, coupons }));
    ctx.onStart('stock-announcer', () => {
      c.announcer.start();
      return async () => {
        await c.announcer.stop();
        await c.provider.close?.();
      };
    });
    ctx.provide('commerce', c);
    ctx.provide('coupons', coupons);
  },

  worker(ctx) {
    const { config, log } = ctx;
    const { redis, scripts, keys, db } = ctx.infra;
    const roomLog = createRoomLog({ redis, scripts, keys, maxLen: config.ROOM_LOG_MAX_LEN });
    const announcer = createStockAnnouncer({
      scripts,
      keys,
      roomLog,
      intervalMs: config.SALE_STOCK_BROADCAST_MS,
      onError: (err) => log.warn({ err }, 'stock broadcast failed'),
    });
    const sweeper = createReservationSweeper({
      redis,
      scripts,
      keys,
      announcer,
      onError: (err) => log.warn({ err }, 'reservation sweep failed'),
    });
    const webhooks = startMerchantWebhooks({
      ...ctx.infra.bull,
      db,
      log,
      settings: {
        url: config.MERCHANT_WEBHOOK_URL,
        secret: merchantWebhookSecret(config),
        attempts: config.MERCHANT_WEBHOOK_ATTEMPTS,
        backoffMs: config.MERCHANT_WEBHOOK_BACKOFF_MS,
      },
    });
    announcer.start();
    sweeper.start(config.RESERVATION_SWEEP_MS);
    ctx.onClose('commerce', async () => {
      await sweeper.stop();
      await announcer.stop();
      await webhooks.close();
    });
    ctx.step(
      commerceSettlementStep({
        scripts,
        sweeper,
        webhooks,
        paymentGraceMs: config.PAYMENT_TIMEOUT_SEC * 1000 + 5000,
        keysRetainSec: config.COMMERCE_KEYS_RETAIN_SEC,
      }),
    );
    ctx.step(replaySettlementStep({ webhooks }));
  },
});
