/**
 * Lives: the lifecycle (create, start, end), the room's join/leave/announce commands, the REST snapshot,
 * and the per-live moderators store roles are read from. End of live: `live-stats` and `room-keys`.
 */
import { ROOM_EVENT } from '@lc/contracts/room.schema';
import { defineFeature } from '../../composition/feature';
import { createLivesRepo } from '../../ledger/lives.repo';
import { createModeratorsStore, type ModeratorsStore } from '../moderation/moderators.store';
import { liveStatsStep, roomKeysStep } from './lives.jobs';
import { livesRoutes } from './lives.routes';
import { createLivesService, type LivesService } from './lives.service';
import { livesSocketHandlers } from './lives.socket';
import { releasedRoomGuard } from './released-room.guard';

declare module '../../composition/services' {
  interface Services {
    lives: LivesService;
    moderators: ModeratorsStore;
  }
}

export const livesFeature = defineFeature({
  name: 'lives',
  api(ctx) {
    const { app, roomLog, snapshots, joinHooks } = ctx;
    const moderators = createModeratorsStore({ redis: ctx.redis, keys: ctx.keys });
    const lives = createLivesService({
      moderators,
      lives: createLivesRepo(ctx.db),
      roomLog,
      endOfLiveQueue: ctx.endQueue,
    });
    joinHooks.guard('released-room', releasedRoomGuard(roomLog));
    livesRoutes(app, { lives, snapshots, joinHooks });
    ctx.handle(
      ...livesSocketHandlers({
        lives,
        membership: ctx.membership,
        roomLog,
        presence: ctx.presence,
        snapshots,
        joinHooks,
      }),
    );
    // NOTE: how every node (not only the one that ended it) drops its cached read of a live that changed.
    ctx.onRoomFrame((liveId, events) => {
      if (events.some((e) => e.type === ROOM_EVENT.liveStatus)) lives.forget(liveId);
    });
    ctx.provide('lives', lives);
    ctx.provide('moderators', moderators);
  },
  worker(ctx) {
    ctx.step(liveStatsStep);
    // Room and interaction keys: released once every step that reads them ran.
    ctx.step(
      roomKeysStep({
        retainSec: ctx.config.ROOM_KEYS_RETAIN_SEC,
        steps: () => ctx.steps.list(),
        rerunAt: (liveId, endedAt, at) => ctx.rerunAt('room-keys', liveId, endedAt, at),
      }),
    );
  },
});
