/**
 * Media signaling against a real node: real Socket.IO clients, real mediasoup workers. No WebRTC here — the
 * transports are created and parameters validated; media flow is in sfu.media.test.ts.
 */

import type { ErrorCode } from '@lc/contracts/errors';
import type { SfuCapabilities, TransportInfo } from '@lc/contracts/sfu.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dtlsParameters,
  liveRoom,
  ok,
  opusRtpParameters,
  scheduledLive,
  startMediaServer,
} from '../../../../test/media';
import { call, connect, guest, http, startServer, type TestServer, waitFor } from '../../../../test/server';

const code = async (p: Promise<{ ok: boolean; error?: { code: ErrorCode } }>) => {
  const res = await p;
  return res.ok ? 'ok' : res.error?.code;
};

describe('media signaling', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startMediaServer([44000, 44499]);
  });
  afterAll(async () => {
    await s?.close();
  });
  const pool = () => s.built.use('mediaPool');
  const workerPids = () =>
    pool()
      .stats()
      .workers.map((w) => w.pid);

  it('refuses media before live:join, and while the live is not live', async () => {
    const room = await liveRoom(s, 0);
    const outsider = await connect(s, (await guest(s)).token);
    expect(await code(call(outsider, 'sfu:capabilities', { liveId: room.liveId }))).toBe('NOT_JOINED');

    const later = await scheduledLive(s);
    await ok(call(outsider, 'live:join', { liveId: later.liveId }));
    const res = await call(outsider, 'sfu:capabilities', { liveId: later.liveId });
    expect(res).toMatchObject({ ok: false, error: { code: 'MEDIA_NOT_AVAILABLE' } });
    expect(
      await code(call(outsider, 'sfu:transport:create', { liveId: later.liveId, direction: 'recv' })),
    ).toBe('MEDIA_NOT_AVAILABLE');
    outsider.close();
    room.close();
  });

  it('gives a joined viewer the router capabilities and a recv transport with UDP and TCP candidates', async () => {
    const room = await liveRoom(s, 1);
    const viewer = room.viewers[0]!;
    const caps = await ok(call<SfuCapabilities>(viewer, 'sfu:capabilities', { liveId: room.liveId }));
    const codecs = (caps.routerRtpCapabilities as { codecs: Array<{ mimeType: string }> }).codecs;
    expect(codecs.map((c) => c.mimeType)).toEqual(
      expect.arrayContaining(['audio/opus', 'video/VP8', 'video/H264']),
    );
    expect(caps.producers).toEqual([]);

    const t = await ok(
      call<TransportInfo>(viewer, 'sfu:transport:create', { liveId: room.liveId, direction: 'recv' }),
    );
    const candidates = t.iceCandidates as Array<{ ip: string; protocol: string; port: number }>;
    expect(candidates.map((c) => c.protocol).sort()).toEqual(['tcp', 'udp']);
    for (const c of candidates) {
      expect(c.ip).toBe('127.0.0.1');
      expect(c.port).toBeGreaterThanOrEqual(44000);
      expect(c.port).toBeLessThanOrEqual(44499);
    }
    expect(
      await ok(
        call(viewer, 'sfu:transport:connect', {
          liveId: room.liveId,
          transportId: t.id,
          dtlsParameters: dtlsParameters(),
        }),
      ),
    ).toEqual({ connected: true });
    const ice = await ok(
      call<{ iceParameters: { usernameFragment: string } }>(viewer, 'sfu:ice:restart', {
        liveId: room.liveId,
        transportId: t.id,
      }),
    );
    expect(ice.iceParameters.usernameFragment).not.toBe(
      (t.iceParameters as { usernameFragment: string }).usernameFragment,
    );
    room.close();
  });

  it('forbids a viewer to publish: no send transport, no produce', async () => {
    const room = await liveRoom(s, 1);
    const viewer = room.viewers[0]!;
    await ok(call(viewer, 'sfu:capabilities', { liveId: room.liveId }));
    expect(await code(call(viewer, 'sfu:transport:create', { liveId: room.liveId, direction: 'send' }))).toBe(
      'FORBIDDEN',
    );
    const recv = await ok(
      call<TransportInfo>(viewer, 'sfu:transport:create', { liveId: room.liveId, direction: 'recv' }),
    );
    const produce = await call(viewer, 'sfu:produce', {
      liveId: room.liveId,
      transportId: recv.id,
      kind: 'audio',
      rtpParameters: opusRtpParameters(),
    });
    expect(produce).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect((await s.built.use('mediaRooms').stats()).producers).toBe(0);
    room.close();
  });

  it('announces the host’s producer to viewers, lists it in capabilities, and consumes it paused until resumed', async () => {
    const room = await liveRoom(s, 1);
    const viewer = room.viewers[0]!;
    await ok(call(room.hostSocket, 'sfu:capabilities', { liveId: room.liveId }));
    const send = await ok(
      call<TransportInfo>(room.hostSocket, 'sfu:transport:create', {
        liveId: room.liveId,
        direction: 'send',
      }),
    );
    const announced = new Promise<{ producerId: string; kind: string }>((r) =>
      viewer.once('sfu:producer:new', r),
    );
    const { id: producerId } = await ok(
      call<{ id: string }>(room.hostSocket, 'sfu:produce', {
        liveId: room.liveId,
        transportId: send.id,
        kind: 'audio',
        rtpParameters: opusRtpParameters(),
      }),
    );
    expect(await announced).toEqual({ liveId: room.liveId, producerId, kind: 'audio' });

    const caps = await ok(call<SfuCapabilities>(viewer, 'sfu:capabilities', { liveId: room.liveId }));
    expect(caps.producers).toEqual([{ id: producerId, kind: 'audio' }]);
    const recv = await ok(
      call<TransportInfo>(viewer, 'sfu:transport:create', { liveId: room.liveId, direction: 'recv' }),
    );
    const consumer = await ok(
      call<{ id: string; kind: string; producerId: string }>(viewer, 'sfu:consume', {
        liveId: room.liveId,
        transportId: recv.id,
        producerId,
        rtpCapabilities: caps.routerRtpCapabilities,
      }),
    );
    expect(consumer).toMatchObject({ producerId, kind: 'audio' });
    const mediaRoom = (await s.built.use('mediaRooms').room(room.liveId))!;
    expect(mediaRoom.stats().routers[0]?.consumers).toBe(1);
    expect(
      await ok(call(viewer, 'sfu:consumer:resume', { liveId: room.liveId, consumerId: consumer.id })),
    ).toEqual({
      resumed: true,
    });
    expect(
      await ok(
        call(viewer, 'sfu:consumer:layers', {
          liveId: room.liveId,
          consumerId: consumer.id,
          spatialLayer: 0,
        }),
      ),
    ).toEqual({ set: true });

    // The host leaves its media: the viewer's consumer closes and the viewer is told which one.
    const closed = new Promise<{ producerId: string; consumerId?: string }>((r) =>
      viewer.once('sfu:producer:closed', r),
    );
    expect(await ok(call(room.hostSocket, 'sfu:close', { liveId: room.liveId }))).toEqual({ closed: true });
    expect(await closed).toEqual({ liveId: room.liveId, producerId, consumerId: consumer.id });
    room.close();
  });

  it('refuses another peer’s transport and unknown ids with NOT_FOUND', async () => {
    const room = await liveRoom(s, 2);
    const [a, b] = room.viewers as [
      NonNullable<(typeof room.viewers)[0]>,
      NonNullable<(typeof room.viewers)[0]>,
    ];
    await ok(call(a, 'sfu:capabilities', { liveId: room.liveId }));
    await ok(call(b, 'sfu:capabilities', { liveId: room.liveId }));
    const ta = await ok(
      call<TransportInfo>(a, 'sfu:transport:create', { liveId: room.liveId, direction: 'recv' }),
    );
    expect(await code(call(b, 'sfu:ice:restart', { liveId: room.liveId, transportId: ta.id }))).toBe(
      'NOT_FOUND',
    );
    expect(
      await code(call(b, 'sfu:consumer:resume', { liveId: room.liveId, consumerId: crypto.randomUUID() })),
    ).toBe('NOT_FOUND');
    room.close();
  });

  describe('rejects malformed parameters with VALIDATION, and the worker stays up', () => {
    let room: Awaited<ReturnType<typeof liveRoom>>;
    let send: TransportInfo;
    let recv: TransportInfo;
    let caps: SfuCapabilities;
    let pidsBefore: number[];
    beforeAll(async () => {
      room = await liveRoom(s, 1);
      pidsBefore = workerPids();
      caps = await ok(call<SfuCapabilities>(room.hostSocket, 'sfu:capabilities', { liveId: room.liveId }));
      send = await ok(
        call<TransportInfo>(room.hostSocket, 'sfu:transport:create', {
          liveId: room.liveId,
          direction: 'send',
        }),
      );
      await ok(call(room.viewers[0]!, 'sfu:capabilities', { liveId: room.liveId }));
      recv = await ok(
        call<TransportInfo>(room.viewers[0]!, 'sfu:transport:create', {
          liveId: room.liveId,
          direction: 'recv',
        }),
      );
    });
    afterAll(() => room?.close());

    const fp = (algorithm: string, bytes: number, byte = 'AB') => ({
      algorithm,
      value: Array.from({ length: bytes }, () => byte).join(':'),
    });
    const dtlsCases: Array<[string, unknown]> = [
      ['no fingerprints', { role: 'client' }],
      ['an empty fingerprint list', { fingerprints: [] }],
      ['an unknown hash algorithm', { fingerprints: [fp('md5', 16)] }],
      ['a fingerprint that is not hex', { fingerprints: [fp('sha-256', 32, 'ZZ')] }],
      ['a fingerprint too short for its algorithm', { fingerprints: [fp('sha-256', 20)] }],
      ['an unknown DTLS role', { role: 'both', fingerprints: [fp('sha-256', 32)] }],
      ['a string instead of an object', 'a=fingerprint:sha-256 AB:CD'],
      ['a hundred fingerprints', { fingerprints: Array.from({ length: 100 }, () => fp('sha-256', 32)) }],
    ];
    it.each(dtlsCases)('sfu:transport:connect with %s', async (_, dtls) => {
      const res = await call(room.hostSocket, 'sfu:transport:connect', {
        liveId: room.liveId,
        transportId: send.id,
        dtlsParameters: dtls,
      });
      expect(res).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    });

    const opus = opusRtpParameters();
    const codec = opus.codecs[0]!;
    const rtpCases: Array<[string, unknown, string?]> = [
      ['no codecs', { ...opus, codecs: [] }],
      ['a payload type above 127', { ...opus, codecs: [{ ...codec, payloadType: 300 }] }],
      ['a negative payload type', { ...opus, codecs: [{ ...codec, payloadType: -1 }] }],
      ['a fractional payload type', { ...opus, codecs: [{ ...codec, payloadType: 100.5 }] }],
      ['a clock rate that is a word', { ...opus, codecs: [{ ...codec, clockRate: 'fast' }] }],
      ['a MIME type without a media type', { ...opus, codecs: [{ ...codec, mimeType: 'opus' }] }],
      ['a 10 kB MIME type', { ...opus, codecs: [{ ...codec, mimeType: `audio/${'x'.repeat(10_000)}` }] }],
      ['an SSRC above 2^32', { ...opus, encodings: [{ ssrc: 2 ** 32 }] }],
      ['a negative SSRC', { ...opus, encodings: [{ ssrc: -5 }] }],
      [
        'header extension id 0',
        { ...opus, headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 0 }] },
      ],
      ['an object as a codec parameter', { ...opus, codecs: [{ ...codec, parameters: { a: { b: 1 } } }] }],
      ['five simulcast encodings', { ...opus, encodings: [1, 2, 3, 4, 5].map((ssrc) => ({ ssrc })) }],
      ['null', null],
      ['an array', [opus]],
      ['kind "data"', opus, 'data'],
      // Well-formed, but mediasoup cannot use them: rejected by mediasoup's own checks before the worker.
      [
        'a codec the router does not have',
        { ...opus, codecs: [{ ...codec, mimeType: 'audio/G722', clockRate: 8000 }] },
      ],
      ['an audio codec for a video producer', opus, 'video'],
    ];
    it.each(rtpCases)('sfu:produce with %s', async (_, rtpParameters, kind = 'audio') => {
      const res = await call(room.hostSocket, 'sfu:produce', {
        liveId: room.liveId,
        transportId: send.id,
        kind,
        rtpParameters,
      });
      expect(res).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    });

    const consumeCases: Array<[string, Record<string, unknown>]> = [
      ['a producer id that is not a UUID', { producerId: '../../etc/passwd' }],
      [
        'a codec of kind "screen"',
        { rtpCapabilities: { codecs: [{ kind: 'screen', mimeType: 'video/VP8', clockRate: 90000 }] } },
      ],
      [
        'a preferred payload type of 999',
        {
          rtpCapabilities: {
            codecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, preferredPayloadType: 999 }],
          },
        },
      ],
      ['no rtpCapabilities', { rtpCapabilities: undefined }],
    ];
    it.each(consumeCases)('sfu:consume with %s', async (_, patch) => {
      const res = await call(room.viewers[0]!, 'sfu:consume', {
        liveId: room.liveId,
        transportId: recv.id,
        producerId: crypto.randomUUID(),
        rtpCapabilities: caps.routerRtpCapabilities,
        ...patch,
      });
      expect(res).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    });

    const otherCases: Array<[string, string, Record<string, unknown>]> = [
      [
        'sfu:consumer:layers with spatial layer 9',
        'sfu:consumer:layers',
        { consumerId: crypto.randomUUID(), spatialLayer: 9 },
      ],
      [
        'sfu:consumer:layers with layer "high"',
        'sfu:consumer:layers',
        { consumerId: crypto.randomUUID(), spatialLayer: 'high' },
      ],
      ['sfu:transport:create with direction "both"', 'sfu:transport:create', { direction: 'both' }],
      ['sfu:ice:restart with a numeric transport id', 'sfu:ice:restart', { transportId: 42 }],
      ['sfu:capabilities with a live id that is not a UUID', 'sfu:capabilities', { liveId: 'live-1' }],
    ];
    it.each(otherCases)('%s', async (_, event, payload) => {
      const res = await call(room.viewers[0]!, event, { liveId: room.liveId, ...payload });
      expect(res).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    });

    it('still has the same workers, and a well-formed produce on the same transport works', async () => {
      expect(workerPids()).toEqual(pidsBefore);
      expect(pool().stats().alive).toBe(2);
      const res = await ok(
        call<{ id: string }>(room.hostSocket, 'sfu:produce', {
          liveId: room.liveId,
          transportId: send.id,
          kind: 'audio',
          rtpParameters: opusRtpParameters(),
        }),
      );
      expect(res.id).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('answers CONFLICT when the worker refuses a well-formed request (a second producer with the same SSRC)', async () => {
      const again = await call(room.hostSocket, 'sfu:produce', {
        liveId: room.liveId,
        transportId: send.id,
        kind: 'audio',
        rtpParameters: opusRtpParameters(),
      });
      expect(again).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
      expect(workerPids()).toEqual(pidsBefore);
    });
  });

  it('closes a peer’s transports on disconnect, and the room with its last peer', async () => {
    const room = await liveRoom(s, 1);
    const viewer = room.viewers[0]!;
    for (const sock of [room.hostSocket, viewer]) {
      await ok(call(sock, 'sfu:capabilities', { liveId: room.liveId }));
      await ok(call(sock, 'sfu:transport:create', { liveId: room.liveId, direction: 'recv' }));
    }
    const mediaRoom = (await s.built.use('mediaRooms').room(room.liveId))!;
    expect(mediaRoom.stats().peers).toBe(2);
    viewer.close();
    await waitFor(() => mediaRoom.stats().peers === 1, 5000, 'viewer peer closed');
    expect(mediaRoom.closed).toBe(false);
    await ok(call(room.hostSocket, 'live:leave', { liveId: room.liveId }));
    await waitFor(() => mediaRoom.closed, 5000, 'room closed with its last peer');
    expect(await s.built.use('mediaRooms').room(room.liveId)).toBeUndefined();
    room.close();
  });

  it('closes the media room when the host ends the live, and refuses media afterwards', async () => {
    const room = await liveRoom(s, 1);
    const viewer = room.viewers[0]!;
    await ok(call(viewer, 'sfu:capabilities', { liveId: room.liveId }));
    const mediaRoom = (await s.built.use('mediaRooms').room(room.liveId))!;
    const ended = await http(s, 'POST', `/api/lives/${room.liveId}/end`, undefined, room.host.token);
    expect(ended.status).toBe(200);
    await waitFor(() => mediaRoom.closed, 5000, 'room closed at end of live');
    expect(await code(call(viewer, 'sfu:capabilities', { liveId: room.liveId }))).toBe('MEDIA_NOT_AVAILABLE');
    room.close();
  });

  it('reports workers, pids and media addresses in /readyz and media gauges in /metrics', async () => {
    const ready = await http<{ checks: { media: { ok: boolean; info: Record<string, unknown> } } }>(
      s,
      'GET',
      '/readyz',
    );
    expect(ready.status).toBe(200);
    expect(ready.body.checks.media).toMatchObject({
      ok: true,
      info: {
        workers: 2,
        size: 2,
        pids: workerPids(),
        listenIp: '127.0.0.1',
        announcedIp: null,
        warnings: [],
      },
    });
    const metrics = await fetch(`${s.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^lc_media_workers 2$/m);
    expect(metrics).toMatch(/^lc_media_consumers\{pid="\d+"\} \d+$/m);
    expect(metrics).toMatch(/^lc_media_worker_cpu_seconds\{pid="\d+"\} [\d.e-]+$/m);
  });
});

describe('media signaling with MEDIA_ENABLED=false', () => {
  it('answers UNAVAILABLE and leaves media out of /readyz', async () => {
    const s = await startServer();
    try {
      const room = await liveRoom(s, 0);
      const res = await call(room.hostSocket, 'sfu:capabilities', { liveId: room.liveId });
      expect(res).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
      const ready = await http<{ checks: Record<string, unknown> }>(s, 'GET', '/readyz');
      expect(Object.keys(ready.body.checks)).not.toContain('media');
      room.close();
    } finally {
      await s.close();
    }
  });
});
