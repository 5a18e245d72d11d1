/**
 * Lottery: create with rules and a published commitment, entries (explicit or by keyword comment), the
 * verifiable draw, the public audit, prize claims (a commerce coupon or a prize order) and "my prizes". On the
 * worker, `lottery-prizes` offers winners their prizes after the live and passes forfeits to runners-up.
 */
import { defineFeature } from '../../composition/feature';
import { createLotteriesRepo } from '../../ledger/lotteries.repo';
import { createLotteryPrizesRepo } from '../../ledger/lottery-prizes.repo';
import { createOrdersRepo } from '../../ledger/orders.repo';
import { roomName } from '../../realtime/types';
import { lotteryPrizesStep } from './lottery.jobs';
import { lotteryRoutes } from './lottery.routes';
import { createLotteryService, type LotteryService } from './lottery.service';
import { lotterySocketHandlers } from './lottery.socket';
import { createLotteryClaims } from './lottery-claims';
import { prizeNotifier } from './prize-notifier';

declare module '../../composition/services' {
  interface Services {
    lottery: LotteryService;
  }
}

export const lotteryFeature = defineFeature({
  name: 'lottery',
  api(ctx) {
    const { config, log, redis, keys, presence } = ctx;
    const lives = ctx.use('lives');
    const lottery = createLotteryService({
      redis,
      scripts: ctx.scripts,
      keys,
      roomLog: ctx.roomLog,
      repo: createLotteriesRepo(ctx.db),
      nodeId: config.NODE_ID,
      log,
      facts: {
        roleOf: (user, liveId) => lives.roleOf(user, liveId),
        follows: async (liveId, userId) =>
          (await redis.sismember(keys.followers(await lives.hostOf(liveId)), userId)) === 1,
        bought: async (liveId, userId) => (await redis.sismember(keys.buyers(liveId), userId)) === 1,
        watchedMs: (liveId, userId) => presence.watchedMs(liveId, userId),
      },
    });
    ctx.snapshots.contribute('lottery', {
      room: (live) => lottery.roomSnapshot(live.id),
      viewer: ({ live, user }, room) => lottery.viewerSnapshot(live.id, user, room),
    });
    ctx.use('commentFeed').onCommentPublished((liveId, user, text) => {
      lottery.onComment(liveId, user, text).catch((err) => log.warn({ err, liveId }, 'keyword entry failed'));
    });
    const claims = createLotteryClaims({
      lottery,
      prizes: createLotteryPrizesRepo(ctx.db),
      coupons: ctx.use('coupons'),
      orders: createOrdersRepo(ctx.db),
    });
    lotteryRoutes(ctx.app, { lottery, claims });
    ctx.handle(...lotterySocketHandlers({ lottery, claims }));
    // The entrant-count ticker also draws lotteries whose entry window ended.
    ctx.roomTicker('lottery-counts', {
      read: (ids) => lottery.counts(ids),
      emit: (io, liveId, c) => io.local.to(roomName(liveId)).emit('lottery:count', { liveId, ...c }),
    });
    ctx.onStart('lottery', () => () => lottery.close());
    ctx.provide('lottery', lottery);
  },

  worker(ctx) {
    // The step re-runs itself at the next claim deadline (forfeits pass to runners-up).
    ctx.step(
      lotteryPrizesStep({
        claimMs: ctx.config.LOTTERY_CLAIM_HOURS * 3_600_000,
        notify: prizeNotifier(ctx.infra.redis, ctx.infra.keys),
        rerunAt: (liveId, endedAt, at) => ctx.rerunAt('lottery-prizes', liveId, endedAt, at),
      }),
    );
  },
});
