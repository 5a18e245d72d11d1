/** Follows (follower counts broadcast on change) and signed share links (joins through them attributed). */
import { defineFeature } from '../../composition/feature';
import { roomName } from '../../realtime/types';
import { socialRoutes } from './social.routes';
import { createSocialService, type SocialService } from './social.service';
import { socialSocketHandlers } from './social.socket';

declare module '../../composition/services' {
  interface Services {
    social: SocialService;
  }
}

export const socialFeature = defineFeature({
  name: 'social',
  api(ctx) {
    const { config } = ctx;
    const lives = ctx.use('lives');
    const social = createSocialService({
      redis: ctx.redis,
      scripts: ctx.scripts,
      keys: ctx.keys,
      db: ctx.db,
      lives,
      secret: config.TOKEN_SECRET,
      publicUrl: config.PUBLIC_URL,
    });
    ctx.joinHooks.after('shares', async (j) => {
      await social.attributeJoin(j.live.id, j.user, j.ref);
    });
    ctx.snapshots.contribute('social', {
      room: (live) => social.roomSnapshot(live.hostId),
      viewer: ({ live, user }, room) => social.viewerSnapshot(live.hostId, user, room),
    });
    socialRoutes(ctx.app, { social });
    ctx.handle(...socialSocketHandlers({ social }));
    ctx.roomTicker('follower-counts', {
      read: (ids) => social.followerCounts(ids),
      emit: (io, liveId, followers) =>
        io.local.to(roomName(liveId)).emit('follow:count', { liveId, followers }),
    });
    ctx.provide('social', social);
  },
});
