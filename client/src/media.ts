/**
 * Media session of one live, owned by the live-client façade (views never touch mediasoup-client): the host
 * publishes audio + simulcast VP8, viewers receive every producer into one MediaStream. Survives what the server
 * throws at it: `sfu:reconnect` (worker died, room rebuilt) and socket reconnects start it over, a failed
 * transport first tries an ICE restart, and a failed attempt is retried with backoff while the session is wanted.
 */

import type { ClientToServerEvents } from '@lc/contracts/events';
import type {
  ConsumerInfo,
  MediaKind,
  SfuCapabilities,
  SfuReconnectReason,
  TransportInfo,
} from '@lc/contracts/sfu.schema';
import { Device, type types } from 'mediasoup-client';

export type MediaState = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'failed';
export interface MediaHandlers {
  onState(state: MediaState, detail?: string): void;
  /** Viewers: the stream to play, a new MediaStream whenever its set of tracks changes. */
  onStream?(stream: MediaStream): void;
}
export type Request = <T>(event: keyof ClientToServerEvents, payload: unknown) => Promise<T>;

/** Three simulcast layers (¼, ½, full resolution), each with three temporal layers. */
const SIMULCAST: types.RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 150_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 2, maxBitrate: 500_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 1, maxBitrate: 1_200_000, scalabilityMode: 'L1T3' },
];
const RETRY_MS = [1000, 2000, 4000, 8000, 10_000];
/** How long a transport may stay `disconnected` before an ICE restart. */
const DISCONNECTED_GRACE_MS = 2000;

type Session = {
  generation: number;
  device: Device;
  transport: types.Transport;
  producers: Map<MediaKind, types.Producer>;
  consumers: Map<string, types.Consumer>;
};

export class MediaSession {
  #mode: 'off' | 'publish' | 'watch' = 'off';
  #outgoing: MediaStream | null = null;
  #session: Session | null = null;
  #generation = 0;
  #attempt = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #layer: number | null = null;

  constructor(
    private readonly request: Request,
    private readonly liveId: string,
    private readonly h: MediaHandlers,
  ) {}

  /** Host: publish this stream's audio and video tracks (now, and again after every reconnect). */
  publish(stream: MediaStream): void {
    this.#outgoing = stream;
    this.#mode = 'publish';
    this.restart();
  }

  /** Viewer: receive whatever the host publishes. */
  watch(): void {
    this.#mode = 'watch';
    this.restart();
  }

  /** Viewer: preferred spatial layer of video consumers, now and for the ones created later (null: highest). */
  preferLayer(spatial: number | null): void {
    this.#layer = spatial;
    const s = this.#session;
    if (!s) return;
    for (const c of s.consumers.values()) if (c.kind === 'video') void this.#applyLayer(c);
  }

  async #applyLayer(c: types.Consumer): Promise<void> {
    const spatialLayer = this.#layer ?? SIMULCAST.length - 1;
    await this.request('sfu:consumer:layers', { liveId: this.liveId, consumerId: c.id, spatialLayer }).catch(
      () => {},
    );
  }

  get active(): boolean {
    return this.#mode !== 'off';
  }

  /** Host: swap the camera or microphone without renegotiating. */
  async replaceTrack(kind: MediaKind, track: MediaStreamTrack): Promise<void> {
    const producer = this.#session?.producers.get(kind);
    if (producer && !producer.closed) await producer.replaceTrack({ track });
  }

  /** Starts the session over (new device, transport, producers/consumers), if one is wanted. */
  restart(reason?: SfuReconnectReason | 'socket-reconnected'): void {
    if (this.#mode === 'off') return;
    clearTimeout(this.#retry);
    const first = this.#generation === 0;
    const generation = ++this.#generation;
    this.#teardown();
    // NOTE: drop whatever the server still holds for us, even from an attempt that failed half-way (a no-op after
    // sfu:reconnect or a socket reconnect); commands on one socket are handled in order, so it runs first.
    if (!first) void this.request('sfu:close', { liveId: this.liveId }).catch(() => {});
    this.h.onState(reason ? 'reconnecting' : 'connecting', reason);
    this.#establish(generation).then(
      () => {
        if (generation !== this.#generation) return;
        this.#attempt = 0;
        this.h.onState('live');
      },
      (err: unknown) => {
        if (generation !== this.#generation) return;
        const delay = RETRY_MS[Math.min(this.#attempt++, RETRY_MS.length - 1)]!;
        const e = err as { code?: string; message?: string };
        this.h.onState(
          'failed',
          `${e.code ?? 'ERROR'}: ${e.message ?? String(err)} — retrying in ${delay / 1000} s`,
        );
        this.#retry = setTimeout(() => this.restart(), delay);
      },
    );
  }

  stop(): void {
    this.#mode = 'off';
    clearTimeout(this.#retry);
    this.#generation++;
    if (this.#teardown()) void this.request('sfu:close', { liveId: this.liveId }).catch(() => {});
    this.h.onState('idle');
  }

  /** Server fact: the host published a track. */
  onProducerNew(producerId: string): void {
    const s = this.#session;
    if (this.#mode !== 'watch' || !s) return;
    this.#consume(s, producerId).catch(() => this.restart());
  }

  /** Server fact: a producer went away (its consumer on the server is closed already). */
  onProducerClosed(producerId: string): void {
    const s = this.#session;
    const consumer = s && [...s.consumers.values()].find((c) => c.producerId === producerId);
    if (!s || !consumer) return;
    consumer.close();
    s.consumers.delete(consumer.id);
    this.#emitStream(s);
  }

  async #establish(generation: number): Promise<void> {
    const caps = await this.request<SfuCapabilities>('sfu:capabilities', { liveId: this.liveId });
    const device = new Device();
    await device.load({ routerRtpCapabilities: caps.routerRtpCapabilities as types.RtpCapabilities });
    this.#assertCurrent(generation);
    const direction = this.#mode === 'publish' ? 'send' : 'recv';
    const info = await this.request<TransportInfo>('sfu:transport:create', {
      liveId: this.liveId,
      direction,
    });
    this.#assertCurrent(generation);
    const params = info as unknown as types.TransportOptions;
    const transport =
      direction === 'send' ? device.createSendTransport(params) : device.createRecvTransport(params);
    const session: Session = { generation, device, transport, producers: new Map(), consumers: new Map() };
    this.#session = session;
    this.#wire(session);
    if (this.#mode === 'publish') await this.#produce(session);
    else await Promise.all(caps.producers.map((p) => this.#consume(session, p.id)));
  }

  #wire(s: Session): void {
    const { transport } = s;
    const transportId = transport.id;
    transport.on('connect', ({ dtlsParameters }, done, fail) => {
      this.request('sfu:transport:connect', { liveId: this.liveId, transportId, dtlsParameters }).then(
        () => done(),
        fail,
      );
    });
    transport.on('produce', ({ kind, rtpParameters }, done, fail) => {
      this.request<{ id: string }>('sfu:produce', {
        liveId: this.liveId,
        transportId,
        kind,
        rtpParameters,
      }).then(done, fail);
    });
    let grace: ReturnType<typeof setTimeout> | undefined;
    let restarted = false;
    transport.on('connectionstatechange', (state) => {
      clearTimeout(grace);
      if (s !== this.#session) return;
      if (state === 'connected') {
        if (restarted) this.h.onState('live'); // the ICE restart worked: same session, media flows again
        restarted = false;
      }
      // NOTE: one ICE restart per failure; if the transport fails again, start the whole session over.
      const iceRestart = () => {
        if (s !== this.#session) return;
        if (restarted) return this.restart();
        restarted = true;
        this.h.onState('reconnecting', 'ICE restart');
        this.request<{ iceParameters: types.IceParameters }>('sfu:ice:restart', {
          liveId: this.liveId,
          transportId,
        })
          .then(({ iceParameters }) => transport.restartIce({ iceParameters }))
          .catch(() => this.restart());
      };
      if (state === 'failed') iceRestart();
      else if (state === 'disconnected') grace = setTimeout(iceRestart, DISCONNECTED_GRACE_MS);
    });
  }

  async #produce(s: Session): Promise<void> {
    const stream = this.#outgoing;
    if (!stream)
      throw Object.assign(new Error('no camera or microphone stream to publish'), { code: 'NO_STREAM' });
    const audio = stream.getAudioTracks()[0];
    const video = stream.getVideoTracks()[0];
    if (audio && s.device.canProduce('audio')) {
      s.producers.set('audio', await s.transport.produce({ track: audio, stopTracks: false }));
    }
    if (video && s.device.canProduce('video')) {
      const vp8 = s.device.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === 'video/vp8');
      s.producers.set(
        'video',
        await s.transport.produce({
          track: video,
          stopTracks: false,
          encodings: SIMULCAST,
          codecOptions: { videoGoogleStartBitrate: 1000 },
          ...(vp8 ? { codec: vp8 } : {}),
        }),
      );
    }
  }

  async #consume(s: Session, producerId: string): Promise<void> {
    if ([...s.consumers.values()].some((c) => c.producerId === producerId)) return;
    const info = await this.request<ConsumerInfo>('sfu:consume', {
      liveId: this.liveId,
      transportId: s.transport.id,
      producerId,
      rtpCapabilities: s.device.rtpCapabilities,
    });
    if (s !== this.#session) return;
    const consumer = await s.transport.consume({
      id: info.id,
      producerId,
      kind: info.kind,
      rtpParameters: info.rtpParameters as unknown as types.RtpParameters,
    });
    s.consumers.set(consumer.id, consumer);
    // NOTE: the server creates consumers paused; resume once the track is attached so the keyframe isn't lost.
    this.#emitStream(s);
    await this.request('sfu:consumer:resume', { liveId: this.liveId, consumerId: consumer.id });
    if (consumer.kind === 'video' && this.#layer !== null) await this.#applyLayer(consumer);
  }

  #emitStream(s: Session): void {
    this.h.onStream?.(new MediaStream([...s.consumers.values()].map((c) => c.track)));
  }

  /** Closes the local session; true if there was one. */
  #teardown(): boolean {
    const s = this.#session;
    this.#session = null;
    if (!s) return false;
    // NOTE: closing the transport closes its producers/consumers; tracks from the camera are the view's to stop.
    s.transport.close();
    return true;
  }

  #assertCurrent(generation: number): void {
    if (generation !== this.#generation) throw Object.assign(new Error('superseded'), { code: 'SUPERSEDED' });
  }
}
