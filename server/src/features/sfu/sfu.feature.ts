/**
 * Media: the node's mediasoup worker pool (MEDIA_ENABLED) and the `sfu:*` signaling that adapts media/ to
 * Socket.IO. Without media the commands are still registered and answer UNAVAILABLE.
 */
import { ROOM_EVENT } from '@lc/contracts/room.schema';
import type { WorkerPool } from '../../../../media/src/worker-pool';
import { defineFeature } from '../../composition/feature';
import { mediaReadiness, openMediaPool, registerMediaMetrics } from './media-pool';
import { createSfuService, type SfuService } from './sfu.service';
import { sfuSocketHandlers } from './sfu.socket';

declare module '../../composition/services' {
  interface Services {
    sfu: SfuService;
    mediaPool: WorkerPool;
  }
}

export const sfuFeature = defineFeature({
  name: 'sfu',
  async api(ctx) {
    const media = ctx.config.MEDIA_ENABLED ? await openMediaPool(ctx.config, ctx.log) : undefined;
    let sfu: SfuService | undefined;
    if (media) {
      ctx.onClose('media-workers', () => media.pool.close());
      ctx.readyCheck('media', mediaReadiness(media.pool, media.network));
      sfu = createSfuService({ pool: media.pool, lives: ctx.use('lives'), log: ctx.log });
      const rooms = sfu;
      ctx.onClose('media-rooms', () => rooms.close());
      registerMediaMetrics(ctx.metrics, media.pool, rooms);
      ctx.use('lives').onEnded((liveId) => rooms.closeLive(liveId));
      // NOTE: how a node that did not end the live itself closes that live's media room.
      ctx.onRoomFrame((liveId, events) => {
        const ended = events.some(
          (e) => e.type === ROOM_EVENT.liveStatus && (e.data as { status?: string }).status === 'ended',
        );
        if (ended) rooms.closeLive(liveId);
      });
      ctx.onSocketLeave((socket, liveId) => rooms.leave(liveId, socket.id));
      ctx.provide('sfu', rooms);
      ctx.provide('mediaPool', media.pool);
    }
    ctx.handle(...sfuSocketHandlers({ sfu, io: () => ctx.io() }));
  },
});
