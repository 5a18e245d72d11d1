/**
 * Composition of the lottery feature: builds its service, registers the audit and claim routes, the snapshot contributor
 * and the keyword-comment hook, and returns its socket handlers and the entrant-count ticker.
 */

import { createLotteriesRepo } from '../../ledger/lotteries.repo';
import { createLotteryPrizesRepo } from '../../ledger/lottery-prizes.repo';
import type { PresenceStore } from '../../realtime/presence';
import type { RoomTail } from '../../realtime/room-tail';
import { startRoomTicker } from '../../realtime/room-ticker';
import { type AppServer, roomName } from '../../realtime/types';
import type { FeatureDeps } from '../feature-deps';
import type { Interaction } from '../interaction';
import type { LivesService } from '../lives/lives.service';
import { lotteryRoutes } from './lottery.routes';
import { createLotteryService } from './lottery.service';
import { lotterySocketHandlers } from './lottery.socket';

export function buildLottery(
  deps: FeatureDeps & {
    lives: LivesService;
    presence: PresenceStore;
    interaction: Interaction;
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
  deps.snapshots.contribute('lottery', ({ live, user }) => lottery.snapshot(live.id, user));
  interaction.onCommentPublished((liveId, user, text) => {
    lottery.onComment(liveId, user, text).catch((err) => log.warn({ err, liveId }, 'keyword entry failed'));
  });
  lotteryRoutes(deps.app, { lottery, prizes: createLotteryPrizesRepo(deps.db), hooks: deps.hooks });
  return {
    lottery,
    handlers: lotterySocketHandlers({ lottery }),
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
