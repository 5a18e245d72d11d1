/**
 * Media: the node's mediasoup worker pool (MEDIA_ENABLED), its media rooms and the `sfu:*` signaling that
 * adapts media/ to Socket.IO. Without media the commands are still registered and answer UNAVAILABLE.
 */
import { ROOM_EVENT } from '@lc/contracts/room.schema';
import type { WorkerPool } from '../../../../media/src/worker-pool';
import { type ApiContext, defineFeature } from '../../composition/feature';
import { mediaReadiness, openMediaPool, registerMediaMetrics } from './media-pool';
import { createMediaRooms, type MediaRooms } from './media-rooms';
import { createSfuService, type SfuService } from './sfu.service';
import { sfuSocketHandlers } from './sfu.socket';

declare module '../../composition/services' {
  interface Services {
    sfu: SfuService;
    mediaRooms: MediaRooms;
    mediaPool: WorkerPool;
  }
}

export const sfuFeature = defineFeature({
  name: 'sfu',
  async api(ctx) {
    const media = ctx.config.MEDIA_ENABLED ? await startMedia(ctx) : undefined;
    ctx.handle(...sfuSocketHandlers({ sfu: media?.sfu, rooms: media?.rooms, io: () => ctx.io() }));
  },
});

async function startMedia(ctx: ApiContext) {
  const { pool, network } = await openMediaPool(ctx.config, ctx.log);
  ctx.onClose('media-workers', () => pool.close());
  ctx.readyCheck('media', mediaReadiness(pool, network));
  const rooms = createMediaRooms({ pool, lives: ctx.use('lives'), log: ctx.log });
  const sfu = createSfuService({ rooms, log: ctx.log });
  ctx.onClose('media-rooms', () => rooms.close());
  registerMediaMetrics(ctx.metrics, pool, rooms);
  ctx.use('lives').onEnded((liveId) => rooms.closeLive(liveId));
  // NOTE: how a node that did not end the live itself closes that live's media room.
  ctx.onRoomFrame((liveId, events) => {
    const ended = events.some(
      (e) => e.type === ROOM_EVENT.liveStatus && (e.data as { status?: string }).status === 'ended',
    );
    if (ended) rooms.closeLive(liveId);
  });
  ctx.onSocketLeave((socket, liveId) => rooms.leave(liveId, socket.id));
  ctx.provide('sfu', sfu);
  ctx.provide('mediaRooms', rooms);
  ctx.provide('mediaPool', pool);
  return { sfu, rooms };
}
