/**
 * Moderation: bans (join guard), mutes, shadow-bans, appointing moderators (staff room on join), the audit log
 * and review of held comments. The per-live moderators store itself is the lives feature's (roles read it).
 */
import { defineFeature } from '../../composition/feature';
import { createModerationLogRepo } from '../../ledger/moderation-log.repo';
import { moderationRoutes } from './moderation.routes';
import { createModerationService, type ModerationService } from './moderation.service';
import { moderationSocketHandlers } from './moderation.socket';

declare module '../../composition/services' {
  interface Services {
    moderation: ModerationService;
  }
}

export const moderationFeature = defineFeature({
  name: 'moderation',
  api(ctx) {
    const lives = ctx.use('lives');
    const moderation = createModerationService({
      redis: ctx.redis,
      keys: ctx.keys,
      roomLog: ctx.roomLog,
      moderators: ctx.use('moderators'),
      lives,
      audit: createModerationLogRepo(ctx.db),
      actions: ctx.actions,
    });
    ctx.joinHooks.guard('moderation', (j) => moderation.guard(j));
    ctx.joinHooks.after('moderation', (j) => moderation.afterJoin(j));
    ctx.snapshots.contribute('moderation', { room: (live) => moderation.snapshot(live.id) });
    moderationRoutes(ctx.app, { moderation });
    ctx.handle(...moderationSocketHandlers({ moderation }));
    ctx.provide('moderation', moderation);
  },
});
