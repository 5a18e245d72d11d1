/**
 * SFU signaling: the `sfu:*` commands on a live's media room (capabilities, transports, produce, consume,
 * layers, ICE restart, stats), run on the room registry (media-rooms.ts). Media failures come from media/ as
 * MediaError and leave as public AppError codes; knows nothing of Socket.IO.
 */
import { AppError, isAppError } from '@lc/contracts/errors';
import type {
  ConsumerInfo,
  ConsumerStatsInfo,
  DtlsParameters,
  MediaKind,
  ProducerInfo,
  RtpCapabilities,
  RtpParameters,
  SfuCapabilities,
  TransportDirection,
  TransportInfo,
} from '@lc/contracts/sfu.schema';
import type { types as ms } from 'mediasoup';
import { asMediaError, MediaError } from '../../../../media/src/media-errors';
import type { MediaRooms } from './media-rooms';

type Log = { warn(o: object, m?: string): void };

const REJECTED = { by: 'mediasoup' } as const;

export function createSfuService(deps: { rooms: MediaRooms; log: Log }) {
  const { log } = deps;
  const { acquire, existing } = deps.rooms;

  /** Runs a media call, turning media-layer errors into public AppError codes. */
  const run = async <T>(p: Promise<T>): Promise<T> => {
    try {
      return await p;
    } catch (err) {
      const mapped = toAppError(err);
      if (mapped !== err && isAppError(mapped) && mapped.details === REJECTED) {
        log.warn({ err }, 'media request rejected by mediasoup');
      }
      throw mapped;
    }
  };

  return {
    /**
     * Router capabilities and current producers; opens the room and registers the peer.
     * @throws MEDIA_NOT_AVAILABLE (live not live), LIVE_NOT_FOUND, UNAVAILABLE (no worker)
     */
    async capabilities(liveId: string, peerId: string): Promise<SfuCapabilities> {
      const room = await run(acquire(liveId, peerId));
      const producers: ProducerInfo[] = room.producers.map(({ id, kind }) => ({ id, kind }));
      return { routerRtpCapabilities: room.rtpCapabilities as Record<string, unknown>, producers };
    },

    /** @throws MEDIA_NOT_AVAILABLE, LIVE_NOT_FOUND, UNAVAILABLE */
    async createTransport(
      liveId: string,
      peerId: string,
      direction: TransportDirection,
    ): Promise<TransportInfo> {
      return run(acquire(liveId, peerId).then((room) => room.createTransport(peerId, direction)));
    },

    /** @throws MEDIA_NOT_AVAILABLE, NOT_FOUND (transport), VALIDATION (rejected by mediasoup), CONFLICT */
    async connectTransport(liveId: string, peerId: string, transportId: string, dtls: DtlsParameters) {
      await run(existing(liveId, peerId).then((room) => room.connectTransport(peerId, transportId, dtls)));
      return { connected: true as const };
    },

    /** @throws MEDIA_NOT_AVAILABLE, NOT_FOUND, CONFLICT (not a send transport), VALIDATION */
    async produce(
      liveId: string,
      peerId: string,
      transportId: string,
      kind: MediaKind,
      rtpParameters: RtpParameters,
    ): Promise<{ id: string }> {
      return run(
        existing(liveId, peerId).then((room) =>
          room.produce(peerId, transportId, { kind, rtpParameters: rtpParameters as ms.RtpParameters }),
        ),
      );
    },

    /** @throws MEDIA_NOT_AVAILABLE, NOT_FOUND (transport or producer), MEDIA_CANNOT_CONSUME, CONFLICT */
    async consume(
      liveId: string,
      peerId: string,
      transportId: string,
      producerId: string,
      rtpCapabilities: RtpCapabilities,
    ): Promise<ConsumerInfo> {
      const c = await run(
        existing(liveId, peerId).then((room) =>
          room.consume(peerId, transportId, producerId, rtpCapabilities as ms.RtpCapabilities),
        ),
      );
      return { ...c, rtpParameters: c.rtpParameters as Record<string, unknown> };
    },

    /** @throws MEDIA_NOT_AVAILABLE, NOT_FOUND (consumer) */
    async resumeConsumer(liveId: string, peerId: string, consumerId: string) {
      await run(existing(liveId, peerId).then((room) => room.resumeConsumer(peerId, consumerId)));
      return { resumed: true as const };
    },

    /** @throws MEDIA_NOT_AVAILABLE, NOT_FOUND (consumer) */
    async setPreferredLayers(
      liveId: string,
      peerId: string,
      consumerId: string,
      layers: { spatialLayer: number; temporalLayer?: number },
    ) {
      await run(existing(liveId, peerId).then((room) => room.setPreferredLayers(peerId, consumerId, layers)));
      return { set: true as const };
    },

    /** @throws MEDIA_NOT_AVAILABLE, NOT_FOUND (transport) */
    async restartIce(liveId: string, peerId: string, transportId: string) {
      const iceParameters = await run(
        existing(liveId, peerId).then((room) => room.restartIce(peerId, transportId)),
      );
      return { iceParameters: iceParameters as Record<string, unknown> };
    },

    /** Server-side stats of one of the peer's consumers (tests, diagnostics). @throws MEDIA_NOT_AVAILABLE, NOT_FOUND */
    async consumerStats(liveId: string, peerId: string, consumerId: string) {
      return run(existing(liveId, peerId).then((room) => room.getConsumerStats(peerId, consumerId)));
    },

    /** What the worker sent on one of the peer's consumers. @throws MEDIA_NOT_AVAILABLE, NOT_FOUND */
    async consumerSent(liveId: string, peerId: string, consumerId: string): Promise<ConsumerStatsInfo> {
      const stats = await this.consumerStats(liveId, peerId, consumerId);
      const { iceState, dtlsState } = await run(
        existing(liveId, peerId).then((room) => room.consumerTransportState(peerId, consumerId)),
      );
      const out = stats.find((s) => s.type === 'outbound-rtp') as ms.ConsumerStat | undefined;
      const source = stats.find((s) => s.type === 'inbound-rtp') as ms.ProducerStat | undefined;
      return {
        packetsSent: out?.packetCount ?? 0,
        bytesSent: out?.byteCount ?? 0,
        bitrate: out?.bitrate ?? 0,
        packetsLost: out?.packetsLost ?? 0,
        sourcePackets: source?.packetCount ?? 0,
        iceState,
        dtlsState,
      };
    },
  };
}
export type SfuService = ReturnType<typeof createSfuService>;

export function toAppError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  const media = asMediaError(err);
  if (!(media instanceof MediaError)) return err;
  switch (media.code) {
    case 'not-found':
      return new AppError('NOT_FOUND', media.message);
    case 'invalid-state':
      return new AppError('CONFLICT', media.message);
    case 'cannot-consume':
      return new AppError('MEDIA_CANNOT_CONSUME', media.message);
    case 'closed':
      return new AppError('MEDIA_NOT_AVAILABLE', media.message);
    case 'invalid-params':
      return new AppError('VALIDATION', media.message);
    case 'rejected':
      return new AppError('CONFLICT', media.message, REJECTED);
  }
}
