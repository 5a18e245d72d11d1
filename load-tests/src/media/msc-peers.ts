/**
 * Node-side WebRTC peers (msc-node: the mediasoup-client API on werift — ICE, DTLS and SRTP in JavaScript) that
 * signal `sfu:*` exactly like the browser client. Shared by the media tests (test/msc-node.ts) and the
 * `media-viewers` load scenario. The publisher sends Opus-shaped RTP at a fixed rate and numbers every packet in
 * its payload, so a viewer can count what it received of a given window of sent packets (loss per consumer).
 * Synthetic video is not used: mediasoup's video consumers wait for a real keyframe before forwarding.
 */

import type { SfuCapabilities, TransportInfo } from '@lc/contracts/sfu.schema';
import { Device, MediaStreamTrack, RTCRtpCodecParameters, RtpHeader, RtpPacket } from 'msc-node';

/** How a peer talks to the server: a command that resolves with the ack's data (throws on an error ack). */
export interface Signaling {
  request<T = unknown>(event: string, payload: unknown): Promise<T>;
  /** Server facts: `sfu:producer:new`, `sfu:reconnect`. */
  on(event: string, fn: (data: unknown) => void): void;
}

type MscTransport = ReturnType<Device['createSendTransport']>;
type Session = { device: Device; transport: MscTransport; generation: number };
type LiveFact = { liveId?: string; producerId?: string };

const opus = () => new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 });
/**
 * Opus TOC byte (CELT fullband 20 ms, one frame), then the packet number (uint32 BE) and, when the payload has
 * room, the send time (float64 BE, performance.now(): meaningful to viewers in the same process).
 */
const TOC = 0xfc;

async function loadDevice(sig: Signaling, liveId: string) {
  const caps = await sig.request<SfuCapabilities>('sfu:capabilities', { liveId });
  const device = new Device({ codecs: { audio: [opus()] } });
  await device.load({ routerRtpCapabilities: caps.routerRtpCapabilities as never });
  return { device, caps };
}

async function createTransport(sig: Signaling, liveId: string, device: Device, direction: 'send' | 'recv') {
  const params = await sig.request<TransportInfo>('sfu:transport:create', { liveId, direction });
  const opts = { ...params, additionalSettings: { iceUseIpv6: false } } as never;
  const transport =
    direction === 'send' ? device.createSendTransport(opts) : device.createRecvTransport(opts);
  transport.on('connect', ({ dtlsParameters }, done, fail) => {
    sig
      .request('sfu:transport:connect', { liveId, transportId: transport.id, dtlsParameters })
      .then(() => done(), fail);
  });
  transport.on('produce', ({ kind, rtpParameters }, done, fail) => {
    sig
      .request<{ id: string }>('sfu:produce', { liveId, transportId: transport.id, kind, rtpParameters })
      .then(done, fail);
  });
  return transport;
}

export interface PublisherOptions {
  /** RTP packets per second (default 50: one 20 ms Opus frame each). */
  packetsPerSecond?: number;
  /** RTP payload bytes (default 41: TOC, packet number, send time, filler), ≥ 5. */
  payloadBytes?: number;
}

/** The host: publishes one Opus-shaped audio track and republishes on `sfu:reconnect`. */
export class MscPublisher {
  producerId: string | undefined;
  reconnects = 0;
  /** Packets written since the first start (the number the next packet carries). */
  sent = 0;
  readonly packetsPerSecond: number;
  readonly payloadBytes: number;
  #transport: MscTransport | undefined;
  #timer: NodeJS.Timeout | undefined;
  #generation = 0;
  #closed = false;

  constructor(
    readonly sig: Signaling,
    readonly liveId: string,
    opts: PublisherOptions = {},
  ) {
    this.packetsPerSecond = opts.packetsPerSecond ?? 50;
    this.payloadBytes = Math.max(5, opts.payloadBytes ?? 41);
    sig.on('sfu:reconnect', (data) => {
      if ((data as LiveFact).liveId !== liveId || this.#closed) return;
      this.reconnects++;
      void this.start().catch(() => {});
    });
  }

  async start(): Promise<string> {
    const generation = ++this.#generation;
    this.#stop();
    const { device } = await loadDevice(this.sig, this.liveId);
    const transport = await createTransport(this.sig, this.liveId, device, 'send');
    if (generation !== this.#generation || this.#closed) {
      transport.close();
      throw new Error('superseded');
    }
    this.#transport = transport;
    const track = new MediaStreamTrack({ kind: 'audio' });
    const producer = await transport.produce({ track });
    const payload = Buffer.alloc(this.payloadBytes, 0xff);
    payload[0] = TOC;
    // NOTE: paced by elapsed time, not by counting timer ticks: timers drift and bunch up on a busy loop.
    const t0 = performance.now();
    const base = this.sent;
    this.#timer = setInterval(() => {
      const due = base + Math.floor(((performance.now() - t0) * this.packetsPerSecond) / 1000);
      while (this.sent < due) {
        const n = ++this.sent;
        const header = new RtpHeader({
          payloadType: 100,
          sequenceNumber: n & 0xffff,
          timestamp: (n * 960) >>> 0,
          ssrc: 0x1234_5678,
        });
        const body = Buffer.from(payload);
        body.writeUInt32BE(n >>> 0, 1);
        if (body.length >= 13) body.writeDoubleBE(performance.now(), 5);
        track.writeRtp(new RtpPacket(header, body));
      }
    }, 10);
    this.producerId = producer.id;
    return producer.id;
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#transport?.close();
    this.#transport = undefined;
  }

  close(): void {
    this.#closed = true;
    this.#stop();
  }
}

/** A window of packet numbers [from, to] a viewer counts separately (the benchmark's measurement window). */
export interface CountWindow {
  from: number;
  to: number;
  packets: number;
  bytes: number;
}

/** A viewer: consumes every producer of the live, counts RTP packets, starts over on `sfu:reconnect`. */
export class MscViewer {
  packets = 0;
  bytes = 0;
  reconnects = 0;
  consumerIds: string[] = [];
  /** When the transport's connection state first reached `connected` (performance.now()). */
  connectedAt: number | undefined;
  /** The recv transport's last connection state (a silent viewer's: did ICE/DTLS fail on this side?). */
  connectionState = 'new';
  window: CountWindow | undefined;
  /** Called with the publisher→viewer time of each packet counted in the window (same process only). */
  onLatency: ((ms: number) => void) | undefined;
  #session: Session | undefined;
  #generation = 0;
  #closed = false;

  constructor(
    readonly sig: Signaling,
    readonly liveId: string,
  ) {
    sig.on('sfu:producer:new', (data) => {
      const { liveId: id, producerId } = data as LiveFact;
      if (id === liveId && producerId && this.#session)
        void this.#consume(this.#session, producerId).catch(() => {});
    });
    sig.on('sfu:reconnect', (data) => {
      if ((data as LiveFact).liveId !== liveId || this.#closed) return;
      this.reconnects++;
      void this.start().catch(() => {});
    });
  }

  /** (Re-)establishes media: a fresh device and recv transport, then consumes every current producer. */
  async start(): Promise<void> {
    const generation = ++this.#generation;
    this.#session?.transport.close();
    this.#session = undefined;
    this.consumerIds = [];
    const { device, caps } = await loadDevice(this.sig, this.liveId);
    const transport = await createTransport(this.sig, this.liveId, device, 'recv');
    if (generation !== this.#generation || this.#closed) return transport.close();
    transport.on('connectionstatechange', (state) => {
      this.connectionState = state;
      if (state === 'connected') this.connectedAt ??= performance.now();
    });
    const session = { device, transport, generation };
    this.#session = session;
    await Promise.all(caps.producers.map((p) => this.#consume(session, p.id)));
  }

  /** Counts packets numbered from..to (inclusive) from now on, besides the running totals. */
  countWindow(from: number, to: number): void {
    this.window = { from, to, packets: 0, bytes: 0 };
  }

  async #consume(session: Session, producerId: string): Promise<void> {
    const info = await this.sig.request<{ id: string; kind: 'audio' | 'video'; rtpParameters: unknown }>(
      'sfu:consume',
      {
        liveId: this.liveId,
        transportId: session.transport.id,
        producerId,
        rtpCapabilities: session.device.rtpCapabilities,
      },
    );
    if (session.generation !== this.#generation) return;
    const consumer = await session.transport.consume({
      id: info.id,
      producerId,
      kind: info.kind,
      rtpParameters: info.rtpParameters as never,
    });
    consumer.track.onReceiveRtp.subscribe((rtp) => {
      const size = rtp.payload.length + 12;
      this.packets++;
      this.bytes += size;
      const w = this.window;
      if (!w || rtp.payload.length < 5 || rtp.payload[0] !== TOC) return;
      const n = rtp.payload.readUInt32BE(1);
      if (n >= w.from && n <= w.to) {
        w.packets++;
        w.bytes += size;
        if (rtp.payload.length >= 13) this.onLatency?.(performance.now() - rtp.payload.readDoubleBE(5));
      }
    });
    this.consumerIds.push(info.id);
    await this.sig.request('sfu:consumer:resume', { liveId: this.liveId, consumerId: info.id });
  }

  close(): void {
    this.#closed = true;
    this.#session?.transport.close();
  }
}
