/** Likes: batched taps summed per node and flushed at a bounded rate, like goals, totals broadcast on change. */
import { defineFeature } from '../../composition/feature';
import { roomName } from '../../realtime/types';
import { createLikesService, type LikesService } from './likes.service';
import { likesSocketHandlers } from './likes.socket';

declare module '../../composition/services' {
  interface Services {
    likes: LikesService;
  }
}

export const likesFeature = defineFeature({
  name: 'likes',
  api(ctx) {
    const { config } = ctx;
    const likes = createLikesService({
      redis: ctx.redis,
      scripts: ctx.scripts,
      keys: ctx.keys,
      log: ctx.log,
      limits: {
        maxPerMessage: config.LIKE_MAX_PER_MESSAGE,
        maxPerUserPerSec: config.LIKE_MAX_PER_USER_PER_SEC,
        messagesPerSec: config.LIKE_MESSAGES_PER_SEC,
        flushMs: config.LIKE_FLUSH_MS,
        logMaxLen: config.ROOM_LOG_MAX_LEN,
      },
    });
    ctx.snapshots.contribute('likes', { room: (live) => likes.snapshot(live.id) });
    ctx.handle(...likesSocketHandlers({ likes }));
    ctx.onStart('likes', () => {
      likes.start();
      return () => likes.close();
    });
    ctx.roomTicker('like-total', {
      read: (ids) => likes.totals(ids),
      emit: (io, liveId, total) => io.local.to(roomName(liveId)).emit('like:total', { liveId, total }),
    });
    ctx.provide('likes', likes);
  },
});
