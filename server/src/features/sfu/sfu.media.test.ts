/**
 * Media through a real node, end to end: Node WebRTC peers (msc-node: ICE + DTLS + SRTP over loopback) signal
 * over real Socket.IO clients; two mediasoup workers, with one consumer per router so the second viewer is
 * placed on a router piped onto the other worker. Then workers are SIGKILLed under the live.
 */

import type { ConsumerStatsInfo, SfuCapabilities, TransportInfo } from '@lc/contracts/sfu.schema';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { liveRoom, ok, startMediaServer } from '../../../../test/media';
import { NodePublisher, NodeViewer } from '../../../../test/msc-node';
import { call, type TestServer, waitFor } from '../../../../test/server';

describe('media flow with Node WebRTC peers', () => {
  let s: TestServer;
  const cleanups: Array<() => void> = [];
  beforeAll(async () => {
    s = await startMediaServer([44500, 44999], { MEDIA_CONSUMERS_PER_ROUTER: '1' });
  });
  afterEach(() => {
    for (const c of cleanups.splice(0).reverse()) c();
  });
  afterAll(async () => {
    await s?.close();
  });

  /** A live with a publishing host and two watching viewers. */
  async function broadcast() {
    const room = await liveRoom(s, 2);
    cleanups.push(() => room.close());
    const publisher = new NodePublisher(room.hostSocket, room.liveId);
    cleanups.push(() => publisher.close());
    await publisher.start();
    const viewers = room.viewers.map((sock) => new NodeViewer(sock, room.liveId));
    for (const v of viewers) cleanups.push(() => v.close());
    // NOTE: one after the other, so the first viewer is on the origin router and the second on the piped one.
    for (const v of viewers) await v.start();
    const mediaRoom = (await s.built.use('mediaRooms').room(room.liveId))!;
    return { room, publisher, viewers, mediaRoom };
  }

  const workerPid = (
    mediaRoom: { stats(): { routers: Array<{ origin: boolean; workerPid: number }> } },
    origin: boolean,
  ) => mediaRoom.stats().routers.find((r) => r.origin === origin)?.workerPid;

  it('carries the host’s audio to two viewers, one of them on a router piped onto the other worker', async () => {
    const { viewers, mediaRoom } = await broadcast();
    const routers = mediaRoom.stats().routers;
    expect(routers).toHaveLength(2);
    expect(routers.map((r) => r.consumers)).toEqual([1, 1]);
    expect(workerPid(mediaRoom, true)).not.toBe(workerPid(mediaRoom, false));

    await waitFor(() => viewers.every((v) => v.packets > 20), 10_000, 'RTP at both viewers');
    // The server's own consumer stats agree: packets went out to each viewer.
    for (const v of viewers) {
      const stats = await s.built.use('sfu').consumerStats(mediaRoom.liveId, v.socket.id!, v.consumerIds[0]!);
      const outbound = stats.find((x) => x.type === 'outbound-rtp');
      expect(outbound?.packetCount).toBeGreaterThan(0);
      // …and each viewer can read them over signaling, for its own consumers only.
      const sent = await ok(
        call<ConsumerStatsInfo>(v.socket, 'sfu:consumer:stats', {
          liveId: mediaRoom.liveId,
          consumerId: v.consumerIds[0],
        }),
      );
      expect(sent.packetsSent).toBeGreaterThan(0);
      expect(sent.bytesSent).toBeGreaterThan(sent.packetsSent * 40);
      expect(sent.sourcePackets).toBeGreaterThanOrEqual(sent.packetsSent);
    }
    const [a, b] = viewers as [NodeViewer, NodeViewer];
    const foreign = await call(a.socket, 'sfu:consumer:stats', {
      liveId: mediaRoom.liveId,
      consumerId: b.consumerIds[0],
    });
    expect(foreign).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('a burst of viewers joining at once, each past the threshold, all receive: routers are added and piped while they consume', async () => {
    // Issue #3: a piped benchmark run had one viewer the worker never sent to. Here every viewer needs a new
    // router (threshold 1), placed while the previous ones are still being created and piped.
    const room = await liveRoom(s, 6);
    cleanups.push(() => room.close());
    const publisher = new NodePublisher(room.hostSocket, room.liveId);
    cleanups.push(() => publisher.close());
    await publisher.start();
    const viewers = room.viewers.map((sock) => new NodeViewer(sock, room.liveId));
    for (const v of viewers) cleanups.push(() => v.close());
    await Promise.all(viewers.map((v) => v.start()));
    const mediaRoom = (await s.built.use('mediaRooms').room(room.liveId))!;
    const routers = mediaRoom.stats().routers;
    expect(routers).toHaveLength(6);
    expect(routers.map((r) => r.consumers)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(new Set(routers.map((r) => r.workerPid)).size).toBe(2);

    await waitFor(() => viewers.every((v) => v.packets > 20), 15_000, 'RTP at every viewer');
    for (const v of viewers) {
      const sent = await ok(
        call<ConsumerStatsInfo>(v.socket, 'sfu:consumer:stats', {
          liveId: room.liveId,
          consumerId: v.consumerIds[0],
        }),
      );
      expect(sent.packetsSent).toBeGreaterThan(0);
      expect(sent.dtlsState).toBe('connected');
      expect(['connected', 'completed']).toContain(sent.iceState);
    }
  });

  it('a resumed consumer whose transport never connects gets nothing, and its stats say which handshake is missing', async () => {
    // The one state left that matches issue #3's silent viewer: resumed, its producer receiving, 0 sent.
    const room = await liveRoom(s, 1);
    cleanups.push(() => room.close());
    const publisher = new NodePublisher(room.hostSocket, room.liveId);
    cleanups.push(() => publisher.close());
    const producerId = await publisher.start();
    const viewer = room.viewers[0]!;
    const { liveId } = room;
    const caps = await ok(call<SfuCapabilities>(viewer, 'sfu:capabilities', { liveId }));
    const recv = await ok(call<TransportInfo>(viewer, 'sfu:transport:create', { liveId, direction: 'recv' }));
    const { id: consumerId } = await ok(
      call<{ id: string }>(viewer, 'sfu:consume', {
        liveId,
        transportId: recv.id,
        producerId,
        rtpCapabilities: caps.routerRtpCapabilities,
      }),
    );
    await ok(call(viewer, 'sfu:consumer:resume', { liveId, consumerId }));
    const stats = () => ok(call<ConsumerStatsInfo>(viewer, 'sfu:consumer:stats', { liveId, consumerId }));
    const sent = await waitFor(
      async () => {
        const x = await stats();
        return x.sourcePackets > 20 && x;
      },
      10_000,
      'the producer receiving',
    );
    expect(sent).toMatchObject({ packetsSent: 0, iceState: 'new', dtlsState: 'new' });
  });

  it('rebuilds the room when the worker under it is SIGKILLed: the host republishes, viewers receive again', async () => {
    const { publisher, viewers, mediaRoom } = await broadcast();
    await waitFor(() => viewers.every((v) => v.packets > 10), 10_000, 'RTP before the kill');
    const firstProducer = publisher.producerId;

    process.kill(workerPid(mediaRoom, true)!, 'SIGKILL');
    await waitFor(() => mediaRoom.closed, 5000, 'room closed with its worker');
    await waitFor(
      () => publisher.reconnects === 1 && viewers.every((v) => v.reconnects >= 1),
      5000,
      'sfu:reconnect at every peer',
    );
    // Fresh packets after the rebuild, through the host's new producer.
    await waitFor(() => publisher.producerId !== firstProducer, 10_000, 'host republished');
    const before = viewers.map((v) => v.packets);
    await waitFor(
      () => viewers.every((v, i) => v.packets > before[i]! + 20),
      10_000,
      'RTP after the rebuild',
    );
    const rebuilt = (await s.built.use('mediaRooms').room(mediaRoom.liveId))!;
    expect(rebuilt).not.toBe(mediaRoom);
    expect(rebuilt.closed).toBe(false);
    await waitFor(() => s.built.use('mediaPool').stats().alive === 2, 10_000, 'replacement worker');
  });

  it('moves a viewer whose piped router’s worker dies: only that viewer reconnects, and receives again', async () => {
    const { publisher, viewers, mediaRoom } = await broadcast();
    const [onOrigin, onPiped] = viewers as [NodeViewer, NodeViewer];
    await waitFor(() => onPiped.packets > 10, 10_000, 'RTP on the piped router');

    process.kill(workerPid(mediaRoom, false)!, 'SIGKILL');
    await waitFor(() => onPiped.reconnects === 1, 5000, 'sfu:reconnect at the piped viewer');
    const before = onPiped.packets;
    await waitFor(() => onPiped.packets > before + 20, 10_000, 'RTP after moving');
    expect(onOrigin.reconnects).toBe(0);
    expect(publisher.reconnects).toBe(0);
    expect(mediaRoom.closed).toBe(false);
    await waitFor(() => s.built.use('mediaPool').stats().alive === 2, 10_000, 'replacement worker');
  });
});

describe('media flow on a node with a single worker', () => {
  it('waits for the replacement of a SIGKILLed worker, then carries the audio again', async () => {
    const s = await startMediaServer([45000, 45199], { MEDIA_WORKERS: '1' });
    const room = await liveRoom(s, 1);
    const publisher = new NodePublisher(room.hostSocket, room.liveId);
    const viewer = new NodeViewer(room.viewers[0]!, room.liveId);
    try {
      await publisher.start();
      await viewer.start();
      await waitFor(() => viewer.packets > 10, 10_000, 'RTP before the kill');
      const [pid] = s.built
        .use('mediaPool')
        .stats()
        .workers.map((w) => w.pid);
      process.kill(pid!, 'SIGKILL');
      await waitFor(() => viewer.reconnects >= 1 && publisher.reconnects >= 1, 5000, 'sfu:reconnect');
      const before = viewer.packets;
      await waitFor(() => viewer.packets > before + 20, 15_000, 'RTP through the replacement worker');
      const stats = s.built.use('mediaPool').stats();
      expect(stats.alive).toBe(1);
      expect(stats.workers[0]?.pid).not.toBe(pid);
    } finally {
      publisher.close();
      viewer.close();
      room.close();
      await s.close();
    }
  });
});
