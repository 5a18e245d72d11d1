/**
 * Media signaling over Socket.IO (`sfu:*`): parse (zod), authorize (joined the live; host-only publishing),
 * delegate to the SFU service. Relays the service's facts to sockets: new producers to the live's room on this
 * node, closed consumers and reconnect requests to the peer (a peer id is its socket id, so also a room name).
 */
import { AppError } from '@lc/contracts/errors';
import type { Role } from '@lc/contracts/ids';
import {
  ConsumePayload,
  ConsumerLayersPayload,
  ConsumerRefPayload,
  IceRestartPayload,
  ProducePayload,
  SfuLiveRef,
  TransportConnectPayload,
  TransportCreatePayload,
} from '@lc/contracts/sfu.schema';
import { defineHandler } from '../../realtime/define-handler';
import { type AppServer, type AppSocket, roomName } from '../../realtime/types';
import type { MediaRooms } from './media-rooms';
import type { SfuService } from './sfu.service';

export function sfuSocketHandlers(deps: {
  sfu: SfuService | undefined;
  rooms: MediaRooms | undefined;
  io: () => AppServer;
}) {
  const { sfu, rooms } = deps;
  if (rooms) {
    rooms.events.on('producerNew', ({ liveId, producerId, kind }) =>
      deps.io().local.to(roomName(liveId)).emit('sfu:producer:new', { liveId, producerId, kind }),
    );
    rooms.events.on('producerClosed', ({ liveId, peerId, producerId, consumerId }) =>
      deps.io().local.to(peerId).emit('sfu:producer:closed', { liveId, producerId, consumerId }),
    );
    rooms.events.on('reconnect', ({ liveId, peerIds, reason }) => {
      if (peerIds.length) deps.io().local.to(peerIds).emit('sfu:reconnect', { liveId, reason });
    });
  }

  /** The service, for a socket that joined the live. @throws UNAVAILABLE (media off), NOT_JOINED */
  const media = (socket: AppSocket, liveId: string): { sfu: SfuService; rooms: MediaRooms; role: Role } => {
    if (!sfu || !rooms)
      throw new AppError('UNAVAILABLE', 'media is disabled on this node (MEDIA_ENABLED=false)');
    const joined = socket.data.joined.get(liveId);
    if (!joined) throw new AppError('NOT_JOINED', 'join the live (live:join) before using media');
    return { sfu, rooms, role: joined.role };
  };

  return [
    defineHandler({
      event: 'sfu:capabilities',
      schema: SfuLiveRef,
      run: ({ socket }, { liveId }) => media(socket, liveId).sfu.capabilities(liveId, socket.id),
    }),
    defineHandler({
      event: 'sfu:transport:create',
      schema: TransportCreatePayload,
      async run({ socket }, { liveId, direction }) {
        const { sfu, role } = media(socket, liveId);
        if (direction === 'send' && role !== 'host') {
          throw new AppError('FORBIDDEN', 'only the host of this live publishes media');
        }
        return sfu.createTransport(liveId, socket.id, direction);
      },
    }),
    defineHandler({
      event: 'sfu:transport:connect',
      schema: TransportConnectPayload,
      run: ({ socket }, { liveId, transportId, dtlsParameters }) =>
        media(socket, liveId).sfu.connectTransport(liveId, socket.id, transportId, dtlsParameters),
    }),
    defineHandler({
      event: 'sfu:produce',
      schema: ProducePayload,
      roles: ['host'],
      run: ({ socket }, { liveId, transportId, kind, rtpParameters }) =>
        media(socket, liveId).sfu.produce(liveId, socket.id, transportId, kind, rtpParameters),
    }),
    defineHandler({
      event: 'sfu:consume',
      schema: ConsumePayload,
      run: ({ socket }, { liveId, transportId, producerId, rtpCapabilities }) =>
        media(socket, liveId).sfu.consume(liveId, socket.id, transportId, producerId, rtpCapabilities),
    }),
    defineHandler({
      event: 'sfu:consumer:resume',
      schema: ConsumerRefPayload,
      run: ({ socket }, { liveId, consumerId }) =>
        media(socket, liveId).sfu.resumeConsumer(liveId, socket.id, consumerId),
    }),
    defineHandler({
      event: 'sfu:consumer:stats',
      schema: ConsumerRefPayload,
      run: ({ socket }, { liveId, consumerId }) =>
        media(socket, liveId).sfu.consumerSent(liveId, socket.id, consumerId),
    }),
    defineHandler({
      event: 'sfu:consumer:layers',
      schema: ConsumerLayersPayload,
      run: ({ socket }, { liveId, consumerId, spatialLayer, temporalLayer }) =>
        media(socket, liveId).sfu.setPreferredLayers(liveId, socket.id, consumerId, {
          spatialLayer,
          ...(temporalLayer === undefined ? {} : { temporalLayer }),
        }),
    }),
    defineHandler({
      event: 'sfu:ice:restart',
      schema: IceRestartPayload,
      run: ({ socket }, { liveId, transportId }) =>
        media(socket, liveId).sfu.restartIce(liveId, socket.id, transportId),
    }),
    defineHandler({
      event: 'sfu:close',
      schema: SfuLiveRef,
      async run({ socket }, { liveId }) {
        return { closed: media(socket, liveId).rooms.leave(liveId, socket.id) };
      },
    }),
  ];
}
