/**
 * Group buys (拼团, issue #14): socket commands and the snapshot part on the API node; on the worker the
 * group-buy clock (expiry and refunds of unfilled groups, the pay deadline of filled ones) and the
 * `groupbuy-settlement` end-of-live step. The units, holds, payments and orders are commerce's.
 */
import type { GroupBuysSnapshot } from '@lc/contracts/groupbuy.schema';
import { defineFeature } from '../../composition/feature';
import { createGroupBuysRepo } from '../../ledger/group-buys.repo';
import { createProductsRepo } from '../../ledger/products.repo';
import { createSalesRepo } from '../../ledger/sales.repo';
import { createSimulatedProvider } from '../commerce/payments/sim-provider';
import { createReservationSweeper } from '../commerce/sales/reservation-sweeper';
import { paymentWebhookSecret } from '../commerce/secrets';
import { createGroupClock } from './group-clock';
import { createGroupLinks } from './group-links';
import { createGroupBuysService, type GroupBuysService } from './groupbuys.service';
import { groupBuySocketHandlers } from './groupbuys.socket';

declare module '../../composition/services' {
  interface Services {
    groupBuys: GroupBuysService;
  }
}

export const GROUPBUY_SETTLEMENT_STEP = 'groupbuy-settlement';

export const groupBuysFeature = defineFeature({
  name: 'groupbuys',
  api(ctx) {
    const { config, redis, keys, scripts, log } = ctx;
    const commerce = ctx.use('commerce');
    const groupBuys = createGroupBuysService({
      redis,
      keys,
      scripts,
      roomLog: ctx.roomLog,
      commerce,
      salesRepo: createSalesRepo(ctx.db, createProductsRepo(ctx.db)),
      repo: createGroupBuysRepo(ctx.db),
      links: createGroupLinks(config.TOKEN_SECRET, config.PUBLIC_URL),
      roomLogMaxLen: config.ROOM_LOG_MAX_LEN,
      onError: (err) => log.warn({ err }, 'recording a filled group failed (the clock retries)'),
    });
    ctx.snapshots.contribute('groupbuys', {
      room: (live) => groupBuys.room(live.id),
      viewer: async ({ live, user }, room): Promise<GroupBuysSnapshot> => ({
        ...room,
        mine: await groupBuys.mine(live.id, user.sub, room.offers),
      }),
    });
    ctx.handle(...groupBuySocketHandlers({ groupBuys }));
    ctx.provide('groupBuys', groupBuys);
  },

  worker(ctx) {
    const { config, log } = ctx;
    const { redis, scripts, keys, db } = ctx.infra;
    // NOTE: refunds only (idempotent by payment id); the API nodes' provider takes payments and webhooks.
    const provider = createSimulatedProvider({
      secret: paymentWebhookSecret(config),
      callbackUrl: () => config.PAYMENT_CALLBACK_URL ?? '',
      delayMs: config.PAYMENT_SIM_DELAY_MS,
      toleranceSec: config.PAYMENT_WEBHOOK_TOLERANCE_SEC,
    });
    const clock = createGroupClock({
      redis,
      scripts,
      keys,
      repo: createGroupBuysRepo(db),
      provider,
      sweeper: createReservationSweeper({ redis, scripts, keys }),
      roomLogMaxLen: config.ROOM_LOG_MAX_LEN,
      onError: (err) => log.warn({ err }, 'group-buy clock step failed'),
    });
    clock.start(config.GROUPBUY_TICK_MS);
    ctx.onClose('groupbuys', async () => {
      await clock.stop();
      await provider.close?.();
    });
    ctx.step({
      name: GROUPBUY_SETTLEMENT_STEP,
      run: ({ liveId }) => clock.settleLive(liveId),
      // The room-keys step releases the group keys only once no group is open or owes a refund.
      roomKeys: { done: ({ liveId }) => clock.liveDone(liveId) },
    });
  },
});
