/**
 * Composition of the lottery feature: builds its service and prize claims (which issue commerce coupons and
 * prize orders), registers the audit, claim and my-prizes routes, the snapshot contributor and the
 * keyword-comment hook, and returns its socket handlers and the entrant-count ticker.
 */

import { createLotteriesRepo } from '../../ledger/lotteries.repo';
import { createLotteryPrizesRepo } from '../../ledger/lottery-prizes.repo';
import { createOrdersRepo } from '../../ledger/orders.repo';
import type { PresenceStore } from '../../realtime/presence';
import type { RoomTail } from '../../realtime/room-tail';
import { startRoomTicker } from '../../realtime/room-ticker';
import { type AppServer, roomName } from '../../realtime/types';
import type { CouponsService } from '../commerce/coupons/coupons.service';
import type { FeatureDeps } from '../feature-deps';
import type { Interaction } from '../interaction';
import type { LivesService } from '../lives/lives.service';
import { lotteryRoutes } from './lottery.routes';
import { createLotteryService } from './lottery.service';
import { lotterySocketHandlers } from './lottery.socket';
import { createLotteryClaims } from './lottery-claims';

export function buildLottery(
  deps: FeatureDeps & {
    lives: LivesService;
    presence: PresenceStore;
    interaction: Interaction;
    /** Commerce coupons: a claimed coupon prize becomes a coupon claim. */
    coupons: Pick<CouponsService, 'grantPrize'>;
  },
) {
  const { config, log, redis, keys, lives, presence, interaction } = deps;
  const lottery = createLotteryService({
    redis,
    scripts: deps.scripts,
    keys,
    roomLog: deps.roomLog,
    repo: createLotteriesRepo(deps.db),
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
  deps.snapshots.contribute('lottery', {
    room: (live) => lottery.roomSnapshot(live.id),
    viewer: ({ live, user }, room) => lottery.viewerSnapshot(live.id, user, room),
  });
  interaction.onCommentPublished((liveId, user, text) => {
    lottery.onComment(liveId, user, text).catch((err) => log.warn({ err, liveId }, 'keyword entry failed'));
  });
  const claims = createLotteryClaims({
    lottery,
    prizes: createLotteryPrizesRepo(deps.db),
    coupons: deps.coupons,
    orders: createOrdersRepo(deps.db),
  });
  lotteryRoutes(deps.app, { lottery, claims });
  return {
    lottery,
    claims,
    handlers: lotterySocketHandlers({ lottery, claims }),
    /** Starts the entrant-count ticker (which also draws lotteries whose window ended); returns its stop. */
    start(io: AppServer, tail: RoomTail): () => void {
      const ticker = startRoomTicker({
        tail,
        intervalMs: config.COUNTERS_BROADCAST_MS,
        read: (ids) => lottery.counts(ids),
        emit: (liveId, c) => io.local.to(roomName(liveId)).emit('lottery:count', { liveId, ...c }),
        onError: (err) => log.warn({ err }, 'lottery tick failed'),
      });
      return () => {
        ticker.stop();
        lottery.close();
      };
    },
  };
}
