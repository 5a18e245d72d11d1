/**
 * Node-side WebRTC peers for media tests (msc-node: the mediasoup-client API on werift), signaling over a real
 * Socket.IO client exactly like the browser client does. The publisher sends Opus-shaped RTP (synthetic video is
 * not forwarded: video consumers wait for a real keyframe); viewers count the RTP packets they receive and
 * re-establish their media on `sfu:reconnect`.
 */
import { Device, MediaStreamTrack, RTCRtpCodecParameters, RtpHeader, RtpPacket } from 'msc-node';
import type { SfuCapabilities, TransportInfo } from '../server/src/contracts/sfu.schema';
import { ok } from './media';
import { call, type TestClient } from './server';

type MscTransport = ReturnType<Device['createSendTransport']>;
type Session = { device: Device; transport: MscTransport; generation: number };

const opus = () => new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 });

async function loadDevice(socket: TestClient, liveId: string) {
  const caps = await ok(call<SfuCapabilities>(socket, 'sfu:capabilities', { liveId }));
  const device = new Device({ codecs: { audio: [opus()] } });
  await device.load({ routerRtpCapabilities: caps.routerRtpCapabilities as never });
  return { device, caps };
}

async function createTransport(
  socket: TestClient,
  liveId: string,
  device: Device,
  direction: 'send' | 'recv',
) {
  const params = await ok(call<TransportInfo>(socket, 'sfu:transport:create', { liveId, direction }));
  const transport = (direction === 'send' ? device.createSendTransport : device.createRecvTransport).call(
    device,
    params as never,
  );
  transport.on('connect', ({ dtlsParameters }, done, fail) => {
    ok(call(socket, 'sfu:transport:connect', { liveId, transportId: transport.id, dtlsParameters })).then(
      () => done(),
      fail,
    );
  });
  transport.on('produce', ({ kind, rtpParameters }, done, fail) => {
    ok(
      call<{ id: string }>(socket, 'sfu:produce', { liveId, transportId: transport.id, kind, rtpParameters }),
    ).then(done, fail);
  });
  return transport;
}

/** The host publishes one Opus-like audio track (50 packets/s) and republishes on `sfu:reconnect`. */
export class NodePublisher {
  producerId: string | undefined;
  reconnects = 0;
  #transport: MscTransport | undefined;
  #timer: NodeJS.Timeout | undefined;
  #generation = 0;
  #closed = false;

  constructor(
    readonly socket: TestClient,
    readonly liveId: string,
  ) {
    socket.on('sfu:reconnect', ({ liveId: id }) => {
      if (id !== liveId || this.#closed) return;
      this.reconnects++;
      void this.start().catch(() => {});
    });
  }

  async start(): Promise<string> {
    const generation = ++this.#generation;
    this.#stop();
    const { device } = await loadDevice(this.socket, this.liveId);
    const transport = await createTransport(this.socket, this.liveId, device, 'send');
    if (generation !== this.#generation || this.#closed) {
      transport.close();
      throw new Error('superseded');
    }
    this.#transport = transport;
    const track = new MediaStreamTrack({ kind: 'audio' });
    const producer = await transport.produce({ track });
    let seq = 0;
    this.#timer = setInterval(() => {
      seq++;
      const header = new RtpHeader({
        payloadType: 100,
        sequenceNumber: seq & 0xffff,
        timestamp: (seq * 960) >>> 0,
        ssrc: 0x1234_5678,
      });
      // Opus TOC byte (CELT FB 20 ms, one frame) and a constant payload.
      track.writeRtp(new RtpPacket(header, Buffer.concat([Buffer.from([0xfc]), Buffer.alloc(40, 0xff)])));
    }, 20);
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

/** A viewer that consumes every producer of the live, counts RTP packets, and starts over on `sfu:reconnect`. */
export class NodeViewer {
  packets = 0;
  reconnects = 0;
  consumerIds: string[] = [];
  #session: Session | undefined;
  #generation = 0;
  #closed = false;

  constructor(
    readonly socket: TestClient,
    readonly liveId: string,
  ) {
    socket.on('sfu:producer:new', ({ liveId: id, producerId }) => {
      if (id === liveId && this.#session) void this.#consume(this.#session, producerId).catch(() => {});
    });
    socket.on('sfu:reconnect', ({ liveId: id }) => {
      if (id !== liveId || this.#closed) return;
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
    const { device, caps } = await loadDevice(this.socket, this.liveId);
    const transport = await createTransport(this.socket, this.liveId, device, 'recv');
    if (generation !== this.#generation || this.#closed) return transport.close();
    const session = { device, transport, generation };
    this.#session = session;
    await Promise.all(caps.producers.map((p) => this.#consume(session, p.id)));
  }

  async #consume(session: Session, producerId: string): Promise<void> {
    const info = await ok(
      call<{ id: string; kind: 'audio' | 'video'; rtpParameters: unknown }>(this.socket, 'sfu:consume', {
        liveId: this.liveId,
        transportId: session.transport.id,
        producerId,
        rtpCapabilities: session.device.rtpCapabilities,
      }),
    );
    if (session.generation !== this.#generation) return;
    const consumer = await session.transport.consume({
      id: info.id,
      producerId,
      kind: info.kind,
      rtpParameters: info.rtpParameters as never,
    });
    consumer.track.onReceiveRtp.subscribe(() => {
      this.packets++;
    });
    this.consumerIds.push(info.id);
    await ok(call(this.socket, 'sfu:consumer:resume', { liveId: this.liveId, consumerId: info.id }));
  }

  close(): void {
    this.#closed = true;
    this.#session?.transport.close();
  }
}
