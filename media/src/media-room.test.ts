/**
 * Media room against real mediasoup 3.8.4 workers (MEDIASOUP_WORKER_BIN, built by scripts/mediasoup-worker.sh).
 * No WebRTC client: the host's audio enters through the RTP ingest (a PlainTransport) as raw RTP packets with a
 * fixed SSRC, and viewers consume with the router's own rtpCapabilities.
 */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MediaError, MediaRoom } from './media-room';
import { createWorkerPool, type WorkerPool } from './worker-pool';

if (!process.env.MEDIASOUP_WORKER_BIN) {
  throw new Error(
    'MEDIASOUP_WORKER_BIN is not set: export MEDIASOUP_WORKER_BIN="$(bash scripts/mediasoup-worker.sh)"',
  );
}

const SSRC = 0x1234_5678;
const opusRtp = {
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc: SSRC }],
};

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

async function setup(opts: { numWorkers?: number; consumersPerRouterThreshold?: number } = {}) {
  const pool: WorkerPool = await createWorkerPool({
    numWorkers: 2,
    rtcMinPort: 43000,
    rtcMaxPort: 43999,
    logLevel: 'none',
    ...opts,
  });
  cleanups.push(() => pool.close());
  const room = await MediaRoom.create({ pool, liveId: 'live-1' });
  cleanups.push(() => room.close());
  return { pool, room };
}

/** Sends `count` Opus-like RTP packets (20 ms apart) to the ingest transport. */
async function sendRtp(ip: string, port: number, count: number) {
  const socket = createSocket('udp4');
  for (let seq = 0; seq < count; seq++) {
    const packet = Buffer.alloc(12 + 40);
    packet[0] = 0x80; // RTP version 2
    packet[1] = 100; // payload type
    packet.writeUInt16BE(seq, 2);
    packet.writeUInt32BE(seq * 960, 4);
    packet.writeUInt32BE(SSRC, 8);
    packet[12] = 0xfc; // Opus TOC byte: CELT FB 20 ms, one frame
    socket.send(packet, port, ip);
    await new Promise((r) => setTimeout(r, 20));
  }
  socket.close();
}

describe('media room', () => {
  it('creates send and recv transports with ICE candidates on the configured IP and port range', async () => {
    const { room } = await setup();
    for (const direction of ['send', 'recv'] as const) {
      const t = await room.createTransport('peer-1', direction);
      expect(t.iceParameters.usernameFragment).toBeTruthy();
      expect(t.dtlsParameters.fingerprints.length).toBeGreaterThan(0);
      expect(t.iceCandidates.map((c) => c.protocol).sort()).toEqual(['tcp', 'udp']);
      for (const c of t.iceCandidates) {
        expect(c.ip).toBe('127.0.0.1');
        expect(c.port).toBeGreaterThanOrEqual(43000);
        expect(c.port).toBeLessThanOrEqual(43999);
      }
    }
    expect(room.stats()).toMatchObject({ peers: 1, routers: [{ origin: true }] });
  });

  it('places the viewer beyond the threshold on a piped router on the other worker, which carries the RTP', async () => {
    const { room } = await setup({ consumersPerRouterThreshold: 1 });
    const newProducer = once(room, 'newproducer');
    const ingest = await room.createIngestTransport('host');
    const { id: producerId } = await room.produce('host', ingest.id, {
      kind: 'audio',
      rtpParameters: opusRtp,
    });
    expect((await newProducer)[0]).toEqual({ peerId: 'host', producerId, kind: 'audio' });

    const t1 = await room.createTransport('viewer-1', 'recv');
    const c1 = await room.consume('viewer-1', t1.id, producerId, room.rtpCapabilities);
    const t2 = await room.createTransport('viewer-2', 'recv');
    const c2 = await room.consume('viewer-2', t2.id, producerId, room.rtpCapabilities);
    expect(c1).toMatchObject({ producerId, kind: 'audio', type: 'simple', producerPaused: false });
    expect(c2.rtpParameters.encodings?.[0]?.ssrc).toBeTypeOf('number');

    const [origin, piped] = room.stats().routers;
    expect(origin).toMatchObject({ origin: true, consumers: 1 });
    expect(piped).toMatchObject({ origin: false, consumers: 1 });
    expect(piped?.workerPid).not.toBe(origin?.workerPid);

    // The RTP sent to the origin's ingest reaches viewer-2's consumer through the pipe.
    await sendRtp(ingest.ip, ingest.port, 25);
    await vi.waitFor(async () => {
      const stats = await room.getConsumerStats('viewer-2', c2.id);
      const inbound = stats.find((s) => s.type === 'inbound-rtp');
      expect(inbound?.packetCount).toBeGreaterThan(0);
    });

    // Closing the producer closes the consumers on both routers and tells their peers.
    const closed: string[] = [];
    room.on('consumerclosed', ({ peerId }) => closed.push(peerId));
    room.closePeer('host');
    await vi.waitFor(() => expect(closed.sort()).toEqual(['viewer-1', 'viewer-2']));
    expect(room.stats().producers).toBe(0);
  });

  it('pipes a producer created after the fan-out to the existing piped routers', async () => {
    const { room } = await setup({ consumersPerRouterThreshold: 1 });
    await room.createTransport('viewer-1', 'recv');
    const t2 = await room.createTransport('viewer-2', 'recv'); // origin holds a reservation: a second router
    expect(room.stats().routers).toHaveLength(2);
    const ingest = await room.createIngestTransport('host');
    const { id } = await room.produce('host', ingest.id, { kind: 'audio', rtpParameters: opusRtp });
    const c = await room.consume('viewer-2', t2.id, id, room.rtpCapabilities);
    expect(c.producerId).toBe(id);
  });

  it('spreads a burst of simultaneous joins over just enough routers, never above the threshold', async () => {
    const { room } = await setup({ consumersPerRouterThreshold: 2 });
    const ingest = await room.createIngestTransport('host');
    await room.produce('host', ingest.id, { kind: 'audio', rtpParameters: opusRtp });
    const viewers = Array.from({ length: 5 }, (_, i) => `viewer-${i}`);
    await Promise.all(viewers.map((v) => room.createTransport(v, 'recv')));
    const routers = room.stats().routers;
    expect(routers.map((r) => r.load)).toEqual([2, 2, 1]);
    expect(routers.filter((r) => r.origin)).toHaveLength(1);
  });

  it('resumes consumers, sets preferred layers and restarts ICE for a viewer', async () => {
    const { room } = await setup();
    const ingest = await room.createIngestTransport('host');
    const { id: producerId } = await room.produce('host', ingest.id, {
      kind: 'audio',
      rtpParameters: opusRtp,
    });
    const t = await room.createTransport('viewer', 'recv');
    const c = await room.consume('viewer', t.id, producerId, room.rtpCapabilities);
    await room.resumeConsumer('viewer', c.id);
    await room.setPreferredLayers('viewer', c.id, { spatialLayer: 0 });
    const ice = await room.restartIce('viewer', t.id);
    expect(ice.usernameFragment).not.toBe(t.iceParameters.usernameFragment);
  });

  it('rejects unknown ids and wrong directions with MediaError codes', async () => {
    const { room } = await setup();
    const send = await room.createTransport('host', 'send');
    const recv = await room.createTransport('viewer', 'recv');
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: MediaError) => e.code,
      );
    expect(await code(room.consume('viewer', recv.id, 'nope', room.rtpCapabilities))).toBe('not-found');
    expect(await code(room.consume('host', send.id, 'nope', room.rtpCapabilities))).toBe('invalid-state');
    expect(await code(room.produce('viewer', recv.id, { kind: 'audio', rtpParameters: opusRtp }))).toBe(
      'invalid-state',
    );
    expect(await code(room.resumeConsumer('viewer', 'nope'))).toBe('not-found');
  });

  it('closes idempotently, emitting closed once and refusing further calls', async () => {
    const { pool, room } = await setup();
    const events: string[] = [];
    room.on('closed', ({ reason }) => events.push(reason));
    await room.createTransport('viewer', 'recv');
    room.close('live ended');
    room.close();
    expect(events).toEqual(['live ended']);
    expect(pool.stats().workers.every((w) => w.routers === 0)).toBe(true);
    await expect(room.createTransport('viewer', 'recv')).rejects.toBeInstanceOf(MediaError);
  });

  it('closes itself when the worker under its origin router dies', async () => {
    const { room } = await setup();
    const closed = once(room, 'closed');
    process.kill(room.stats().routers[0]!.workerPid, 'SIGKILL');
    const [{ reason }] = (await closed) as [{ reason: string }];
    expect(reason).toMatch(/origin router closed/);
    expect(room.closed).toBe(true);
  });
});
