/**
 * The worker side of commerce: the reservation sweeper (expired holds back to stock), stock broadcasts for
 * what it releases, merchant webhook delivery, and the `commerce-settlement` end-of-live step.
 */
import type { Config } from '../../config';
import type { Infra } from '../../infra';
import { createRoomLog } from '../../realtime/room-log';
import { createReservationSweeper } from './sales/reservation-sweeper';
import { createStockAnnouncer } from './sales/stock-announcer';
import { merchantWebhookSecret } from './secrets';
import { startMerchantWebhooks } from './settlement/merchant-webhooks';
import { commerceSettlementStep } from './settlement/settlement.step';

type Log = {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
};

export function startCommerceWorker(deps: { config: Config; infra: Infra; log: Log; now?: () => number }) {
  const { config, infra, log } = deps;
  const { redis, scripts, keys, db } = infra;
  const roomLog = createRoomLog({ redis, scripts, keys, maxLen: config.ROOM_LOG_MAX_LEN });
  const announcer = createStockAnnouncer({
    scripts,
    keys,
    roomLog,
    intervalMs: config.SALE_STOCK_BROADCAST_MS,
    now: deps.now,
    onError: (err) => log.warn({ err }, 'stock broadcast failed'),
  });
  const sweeper = createReservationSweeper({
    redis,
    scripts,
    keys,
    announcer,
    now: deps.now,
    onError: (err) => log.warn({ err }, 'reservation sweep failed'),
  });
  const webhooks = startMerchantWebhooks({
    ...infra.bull,
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
  const step = commerceSettlementStep({
    scripts,
    sweeper,
    webhooks,
    paymentGraceMs: config.PAYMENT_TIMEOUT_SEC * 1000 + 5000,
    keysRetainSec: config.COMMERCE_KEYS_RETAIN_SEC,
    now: deps.now,
  });
  return {
    steps: [step],
    sweeper,
    announcer,
    webhooks,
    async close() {
      await sweeper.stop();
      await announcer.stop();
      await webhooks.close();
    },
  };
}
