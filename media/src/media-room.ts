/**
 * Media room: the mediasoup side of one live. Owns every peer's transports, producers and consumers, and the
 * room's lifecycle; its routers and the placement of viewers on them are delegated to RouterFanout (origin
 * router + routers piped from it once it fills up). Knows nothing of HTTP or Socket.IO; the caller
 * (sfu-signaling) authorizes every call.
 */

import { EventEmitter } from 'node:events';
import type { types as ms } from 'mediasoup';
import { mediaCodecs, webRtcTransportDefaults } from './media-config';
import { MediaError } from './media-errors';
import { type Placed, RouterFanout, type RouterStats, type Slot } from './router-fanout';
import type { WorkerPool } from './worker-pool';

export type Direction = 'send' | 'recv';
export interface TransportParams {
  id: string;
  iceParameters: ms.IceParameters;
  iceCandidates: ms.IceCandidate[];
  dtlsParameters: ms.DtlsParameters;
}
export interface ConsumerParams {
  id: string;
  producerId: string;
  kind: ms.MediaKind;
  rtpParameters: ms.RtpParameters;
  type: ms.ConsumerType;
  producerPaused: boolean;
}
export { MediaError } from './media-errors';
export type { RouterStats } from './router-fanout';
export interface MediaRoomEvents {
  closed: [{ reason: string }];
  newproducer: [{ peerId: string; producerId: string; kind: ms.MediaKind }];
  /** The consumer's producer went away: tell the peer to drop it. */
  consumerclosed: [{ peerId: string; consumerId: string; producerId: string }];
  /** The transport's router closed under it (its worker died): the peer must create a new one. */
  transportclosed: [{ peerId: string; transportId: string }];
}

type Entry = Placed & { slot: Slot; direction: Direction } & (
    | { kind: 'webrtc'; transport: ms.WebRtcTransport }
    | { kind: 'plain'; transport: ms.PlainTransport }
  );
type Peer = { transports: Map<string, Entry>; consumers: Map<string, ms.Consumer> };

export class MediaRoom extends EventEmitter<MediaRoomEvents> {
  readonly liveId: string;
  readonly #pool: WorkerPool;
  readonly #fanout: RouterFanout;
  readonly #peers = new Map<string, Peer>();
  #closed = false;

  static async create({ pool, liveId }: { pool: WorkerPool; liveId: string }): Promise<MediaRoom> {
    const worker = pool.leastLoaded();
    const router = await worker.createRouter({ mediaCodecs, appData: { liveId } });
    return new MediaRoom(pool, liveId, worker, router);
  }

  private constructor(pool: WorkerPool, liveId: string, worker: ms.Worker, router: ms.Router) {
    super();
    this.#pool = pool;
    this.liveId = liveId;
    const onOriginClosed = () => this.close('origin router closed (worker died?)');
    this.#fanout = new RouterFanout({ pool, liveId, worker, router, onOriginClosed });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** What clients load their mediasoup-client Device with (the same on every router of the room). */
  get rtpCapabilities(): ms.RtpCapabilities {
    return this.#fanout.origin.router.rtpCapabilities;
  }

  /** Producers viewers can consume now (the host's tracks), oldest first. */
  get producers(): Array<{ id: string; kind: ms.MediaKind; type: ms.ProducerType; peerId: string }> {
    return this.#fanout.producers.map((p) => ({
      id: p.id,
      kind: p.kind,
      type: p.type,
      peerId: String((p.appData as { peerId?: unknown }).peerId),
    }));
  }

  /** 'send' transports go on the origin router; 'recv' ones on the first router with room for one viewer. */
  async createTransport(peerId: string, direction: Direction): Promise<TransportParams> {
    const peer = this.#peer(peerId);
    const { slot, reserved } =
      direction === 'send' ? { slot: this.#fanout.origin, reserved: 0 } : await this.#place();
    const { listenIp, announcedIp } = this.#pool.config;
    let transport: ms.WebRtcTransport;
    try {
      transport = await slot.router.createWebRtcTransport({
        listenIps: [{ ip: listenIp, announcedIp }],
        enableUdp: true,
        enableTcp: true,
        preferUdp: true,
        initialAvailableOutgoingBitrate: webRtcTransportDefaults.initialAvailableOutgoingBitrate,
        appData: { peerId, direction },
      });
    } finally {
      slot.pending -= reserved;
    }
    this.#register(peerId, peer, { kind: 'webrtc', transport, slot, direction, consumers: new Set() });
    if (direction === 'send') {
      await transport
        .setMaxIncomingBitrate(webRtcTransportDefaults.maxIncomingBitrate)
        .catch((err: unknown) => {
          transport.close();
          throw err;
        });
    }
    const { id, iceParameters, iceCandidates, dtlsParameters } = transport;
    return { id, iceParameters, iceCandidates, dtlsParameters };
  }

  /**
   * RTP ingest for an encoder (ffmpeg/GStreamer/load tests) instead of a browser: a plain RTP transport on the
   * origin router that learns the sender's address from its first packet (comedia, RTCP muxed). Produce on it
   * like on a send transport, then send RTP to the returned ip:port.
   */
  async createIngestTransport(peerId: string): Promise<{ id: string; ip: string; port: number }> {
    const peer = this.#peer(peerId);
    const { listenIp, announcedIp } = this.#pool.config;
    const transport = await this.#fanout.origin.router.createPlainTransport({
      listenIp: { ip: listenIp, announcedIp },
      rtcpMux: true,
      comedia: true,
      appData: { peerId, direction: 'send' },
    });
    this.#register(peerId, peer, {
      kind: 'plain',
      transport,
      slot: this.#fanout.origin,
      direction: 'send',
      consumers: new Set(),
    });
    return { id: transport.id, ip: announcedIp ?? transport.tuple.localIp, port: transport.tuple.localPort };
  }

  /**
   * A recorder's tap: the producer consumed on a plain RTP transport of the origin router, sending to
   * `ip:port` (RTCP to port + 1, no mux, no RTX). Created paused: the recorder resumes it once its receiver
   * listens, then asks for a keyframe. Closes with the room, or with the returned transport.
   */
  async createTap(
    producerId: string,
    target: { ip: string; port: number },
  ): Promise<{ transport: ms.PlainTransport; consumer: ms.Consumer }> {
    this.#assertOpen();
    const { router } = this.#fanout.origin;
    const producer = this.#fanout.producers.find((p) => p.id === producerId);
    if (!producer) throw new MediaError('not-found', `producer ${producerId} not found`);
    const rtpCapabilities: ms.RtpCapabilities = {
      codecs: (router.rtpCapabilities.codecs ?? []).filter(
        (c) => c.kind === producer.kind && !c.mimeType.toLowerCase().endsWith('/rtx'),
      ),
      headerExtensions: [],
    };
    const transport = await router.createPlainTransport({
      listenIp: { ip: target.ip },
      rtcpMux: false,
      comedia: false,
      appData: { tap: producerId },
    });
    try {
      await transport.connect({ ip: target.ip, port: target.port, rtcpPort: target.port + 1 });
      const consumer = await transport.consume({ producerId, rtpCapabilities, paused: true });
      return { transport, consumer };
    } catch (err) {
      transport.close();
      throw err;
    }
  }

  async connectTransport(
    peerId: string,
    transportId: string,
    dtlsParameters: ms.DtlsParameters,
  ): Promise<void> {
    await this.#webRtc(peerId, transportId).connect({ dtlsParameters });
  }

  async restartIce(peerId: string, transportId: string): Promise<ms.IceParameters> {
    return this.#webRtc(peerId, transportId).restartIce();
  }

  /** The host publishes a track on a send (or ingest) transport; it is piped to every other router of the room. */
  async produce(
    peerId: string,
    transportId: string,
    { kind, rtpParameters }: { kind: ms.MediaKind; rtpParameters: ms.RtpParameters },
  ): Promise<{ id: string }> {
    const entry = this.#entry(peerId, transportId);
    if (entry.direction !== 'send') throw new MediaError('invalid-state', 'produce needs a send transport');
    const producer = await entry.transport.produce({ kind, rtpParameters, appData: { peerId } });
    this.#fanout.addProducer(producer);
    this.emit('newproducer', { peerId, producerId: producer.id, kind });
    return { id: producer.id };
  }

  /**
   * A viewer consumes a producer on its recv transport. NOTE: the consumer starts paused (as in mediasoup-demo);
   * the client resumes it once its side is ready, so neither the first packets nor the keyframe are lost.
   */
  async consume(
    peerId: string,
    transportId: string,
    producerId: string,
    rtpCapabilities: ms.RtpCapabilities,
  ): Promise<ConsumerParams> {
    const entry = this.#entry(peerId, transportId);
    if (entry.direction !== 'recv') throw new MediaError('invalid-state', 'consume needs a recv transport');
    // NOTE: on a piped router the producer exists only once its pipe is done; ready() waits for that.
    if (!(await this.#fanout.ready(entry.slot, producerId))) {
      throw new MediaError('not-found', `producer ${producerId} not found`);
    }
    if (!entry.slot.router.canConsume({ producerId, rtpCapabilities })) {
      throw new MediaError('cannot-consume', 'the client cannot receive this producer (rtpCapabilities)');
    }
    const consumer = await entry.transport.consume({ producerId, rtpCapabilities, paused: true });
    const peer = this.#peers.get(peerId);
    entry.consumers.add(consumer.id);
    peer?.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => {
      entry.consumers.delete(consumer.id);
      peer?.consumers.delete(consumer.id);
    });
    consumer.on('producerclose', () =>
      this.emit('consumerclosed', { peerId, consumerId: consumer.id, producerId }),
    );
    const { id, kind, rtpParameters, type, producerPaused } = consumer;
    return { id, producerId, kind, rtpParameters, type, producerPaused };
  }

  async resumeConsumer(peerId: string, consumerId: string): Promise<void> {
    await this.#consumer(peerId, consumerId).resume();
  }

  /** Simulcast/SVC: the layers a viewer wants (the router still goes lower when bandwidth is short). */
  async setPreferredLayers(peerId: string, consumerId: string, layers: ms.ConsumerLayers): Promise<void> {
    await this.#consumer(peerId, consumerId).setPreferredLayers(layers);
  }

  async getConsumerStats(
    peerId: string,
    consumerId: string,
  ): Promise<Array<ms.ConsumerStat | ms.ProducerStat>> {
    return this.#consumer(peerId, consumerId).getStats();
  }

  /**
   * The worker-side state of the transport a consumer sends on: a consumer sends nothing until its transport's
   * ICE and DTLS are connected, so this tells a viewer that never completed its handshake from one the worker
   * skips (diagnostics: a silent viewer in the media benchmark).
   */
  consumerTransportState(peerId: string, consumerId: string): { iceState: string; dtlsState: string } {
    this.#consumer(peerId, consumerId);
    const entry = [...(this.#peers.get(peerId)?.transports.values() ?? [])].find((e) =>
      e.consumers.has(consumerId),
    );
    if (!entry) throw new MediaError('not-found', `consumer ${consumerId} not found for peer ${peerId}`);
    if (entry.kind !== 'webrtc') return { iceState: 'plain', dtlsState: 'plain' };
    return { iceState: entry.transport.iceState, dtlsState: entry.transport.dtlsState };
  }

  /** Every peer's transports (diagnostics and tests). */
  transports(): Array<{ peerId: string; transportId: string; direction: Direction }> {
    return [...this.#peers].flatMap(([peerId, peer]) =>
      [...peer.transports.values()].map((e) => ({
        peerId,
        transportId: e.transport.id,
        direction: e.direction,
      })),
    );
  }

  /** Closes the peer's transports and with them its producers and consumers. Unknown peers are ignored. */
  closePeer(peerId: string): void {
    const peer = this.#peers.get(peerId);
    this.#peers.delete(peerId);
    for (const { transport } of peer?.transports.values() ?? []) transport.close();
  }

  stats(): { liveId: string; closed: boolean; peers: number; producers: number; routers: RouterStats[] } {
    const { liveId } = this;
    const routers = this.#fanout.stats();
    return {
      liveId,
      closed: this.#closed,
      peers: this.#peers.size,
      producers: this.#fanout.producerCount,
      routers,
    };
  }

  /** Closes every router of the room (piped ones first) and emits `closed` once. Idempotent. */
  close(reason = 'closed'): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#fanout.close();
    this.#peers.clear();
    this.emit('closed', { reason });
  }

  #peer(peerId: string): Peer {
    this.#assertOpen();
    const peer = this.#peers.get(peerId) ?? { transports: new Map(), consumers: new Map() };
    this.#peers.set(peerId, peer);
    return peer;
  }

  #register(peerId: string, peer: Peer, entry: Entry): void {
    const { transport, slot } = entry;
    // NOTE: the room may have closed, or the peer left (closePeer), while the transport was being created.
    if (this.#closed || this.#peers.get(peerId) !== peer) {
      transport.close();
      throw new MediaError(
        'closed',
        this.#closed ? `media room ${this.liveId} is closed` : `peer ${peerId} left`,
      );
    }
    peer.transports.set(transport.id, entry);
    if (entry.direction === 'recv') slot.recv.add(entry);
    transport.observer.once('close', () => {
      slot.recv.delete(entry);
      peer.transports.delete(transport.id);
    });
    transport.on('routerclose', () => {
      if (!this.#closed) this.emit('transportclosed', { peerId, transportId: transport.id });
    });
  }

  async #place(): Promise<{ slot: Slot; reserved: number }> {
    try {
      return await this.#fanout.place();
    } catch (err) {
      this.#assertOpen(); // the room closed while a piped router was being added
      throw err;
    }
  }

  #entry(peerId: string, transportId: string): Entry {
    this.#assertOpen();
    const entry = this.#peers.get(peerId)?.transports.get(transportId);
    if (!entry) throw new MediaError('not-found', `transport ${transportId} not found for peer ${peerId}`);
    return entry;
  }

  #webRtc(peerId: string, transportId: string): ms.WebRtcTransport {
    const entry = this.#entry(peerId, transportId);
    if (entry.kind !== 'webrtc') throw new MediaError('invalid-state', 'not a WebRTC transport');
    return entry.transport;
  }

  #consumer(peerId: string, consumerId: string): ms.Consumer {
    this.#assertOpen();
    const consumer = this.#peers.get(peerId)?.consumers.get(consumerId);
    if (!consumer) throw new MediaError('not-found', `consumer ${consumerId} not found for peer ${peerId}`);
    return consumer;
  }

  #assertOpen(): void {
    if (this.#closed) throw new MediaError('closed', `media room ${this.liveId} is closed`);
  }
}
