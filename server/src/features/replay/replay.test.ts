/**
 * Recording on the real stack: a node with mediasoup workers and RECORDING_ENABLED, the host's camera and
 * microphone as ffmpeg encoders feeding the live's media room (RTP ingest), the recorder's ffmpeg writing HLS,
 * PostgreSQL as the ledger and the job worker in-process for the chapters step. Then the REST routes.
 */
import { PassThrough } from 'node:stream';
import type { Recording } from '@lc/contracts/replay.schema';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProduct } from '../../../../test/commerce';
import { joined, ok, startMediaServer } from '../../../../test/media';
import { type SourceCodec, sourceRtpParameters, startRtpSource } from '../../../../test/rtp-source';
import { call, guest, hostWithLive, http, type TestServer, waitFor } from '../../../../test/server';
import { loadConfig } from '../../config';
import { buildWorker } from '../../worker-app';

describe('replay: recording a live', () => {
  let s: TestServer;
  let worker: Awaited<ReturnType<typeof buildWorker>>;
  const logs: Array<Record<string, unknown>> = [];
  const stops: Array<() => void> = [];

  beforeAll(async () => {
    const logStream = new PassThrough();
    logStream.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line));
    });
    s = await startMediaServer(
      [46800, 46999],
      {
        RECORDING_ENABLED: 'true',
        RECORDING_RTP_MIN_PORT: '47800',
        RECORDING_RTP_MAX_PORT: '47999',
        LOG_LEVEL: 'info',
        MEDIA_WORKERS: '1',
      },
      { logStream },
    );
    worker = await buildWorker(loadConfig(s.env), pino({ level: 'silent' }), s.built.infra);
  }, 60_000);
  afterAll(async () => {
    for (const stop of stops) stop();
    await worker?.close();
    await s?.close();
  });

  /** The host's camera and microphone: ffmpeg encoders into the live's media room (as a browser would publish). */
  async function publish(liveId: string, codecs: SourceCodec[], peerId = 'host-encoder') {
    const room = await s.built.use('mediaRooms').acquire(liveId, peerId);
    for (const [i, codec] of codecs.entries()) {
      const ingest = await room.createIngestTransport(peerId);
      const ssrc = 0x2000 + i + Math.floor(Math.random() * 1000) * 4;
      await room.produce(peerId, ingest.id, {
        kind: codec === 'opus' ? 'audio' : 'video',
        rtpParameters: sourceRtpParameters(codec, ssrc) as never,
      });
      const src = startRtpSource(codec, ingest, ssrc);
      stops.push(() => src.stop());
    }
    return room;
  }

  it('records the live, survives a killed ffmpeg with a noted gap and an alert, and chapters the pinned product', async () => {
    const { liveId, host } = await hostWithLive(s);
    const hostSocket = await joined(s, host.token, liveId);
    const product = await addProduct(s, host.token, liveId, { title: 'Jasmine tea' });
    await publish(liveId, ['opus', 'H264']);
    const recorder = s.built.use('replayRecorder');
    const first = await waitFor(async () => (await recorder.recorder(liveId))?.ffmpegPid, 10_000, 'ffmpeg');
    await new Promise((r) => setTimeout(r, 3000));
    const pinnedAt = Date.now();
    await ok(call(hostSocket, 'product:pin', { liveId, productId: product.id }));

    // ffmpeg dies mid-live: the live goes on (media still flows), recording restarts as a new run.
    await new Promise((r) => setTimeout(r, 2000));
    process.kill(first, 'SIGKILL');
    const second = await waitFor(
      async () => {
        const pid = (await recorder.recorder(liveId))?.ffmpegPid;
        return pid && pid !== first ? pid : undefined;
      },
      10_000,
      'a new ffmpeg',
    );
    expect(second).not.toBe(first);
    const alert = logs.find((l) => l.alert === 'recording' && l.liveId === liveId);
    expect(alert).toMatchObject({ level: 50, run: 1, msg: expect.stringMatching(/ffmpeg exited/) });
    expect((await http<{ status: string }>(s, 'GET', `/api/lives/${liveId}`)).body.status).toBe('live');
    // NOTE: wait for media in the stitched playlist rather than for the clock (encoders lag on a loaded machine).
    await waitFor(
      async () => {
        const res = await fetch(`${s.url}/api/lives/${liveId}/recording/index.m3u8`, {
          headers: { authorization: `Bearer ${host.token}` },
        });
        const text = await res.text();
        const secs = [...text.matchAll(/#EXTINF:([\d.]+)/g)].reduce((a, m) => a + Number(m[1]), 0);
        return secs > 8 && text.includes('run-0002-');
      },
      60_000,
      '8 s of recorded media over both runs',
    );

    await ok(call(hostSocket, 'live:end', { liveId }));
    const rec = await waitFor(
      async () => {
        const r = await http<Recording>(s, 'GET', `/api/lives/${liveId}/recording`, undefined, host.token);
        return r.body.status === 'ended' && r.body.chapters ? r.body : undefined;
      },
      60_000,
      'the recording to end and be chaptered',
    );
    expect(rec.gaps).toEqual([{ from: expect.any(Number), to: expect.any(Number), reason: 'ffmpeg-exited' }]);
    expect(rec.durationMs).toBeGreaterThan(8000);
    expect(rec.bytes).toBeGreaterThan(50_000);
    const pin = rec.chapters?.find((c) => c.type === 'product-pinned');
    expect(pin).toMatchObject({ productId: product.id, label: 'Jasmine tea' });
    // ~3 s after the recording began (the pin fell in run 1, before the gap).
    expect(pin!.offsetMs).toBeGreaterThan(1000);
    expect(pin!.offsetMs).toBeLessThan(pinnedAt - Date.parse(rec.startedAt) + 1500);

    const playlist = await fetch(`${s.url}${rec.playlistUrl}`, {
      headers: { authorization: `Bearer ${host.token}` },
    });
    expect(playlist.headers.get('content-type')).toMatch(/mpegurl/);
    const text = await playlist.text();
    expect(text).toContain('#EXT-X-DISCONTINUITY');
    expect(text).toContain('#EXT-X-ENDLIST');
    const seg = /run-0002-\d{5}\.m4s/.exec(text)![0];
    const segRes = await fetch(`${s.url}/api/lives/${liveId}/recording/${seg}`, {
      headers: { authorization: `Bearer ${host.token}` },
    });
    expect(segRes.status).toBe(200);
    expect((await segRes.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    hostSocket.close();

    // Viewers: refused until published, then it plays for anyone.
    const viewer = await guest(s, 'late viewer');
    for (const token of [viewer.token, undefined]) {
      const r = await http(s, 'GET', `/api/lives/${liveId}/recording/index.m3u8`, undefined, token);
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ error: { code: 'RECORDING_NOT_PUBLISHED' } });
    }
    const foreign = await http(
      s,
      'POST',
      `/api/lives/${liveId}/recording/publish`,
      { published: true },
      viewer.token,
    );
    expect(foreign.status).toBe(403);
    const pub = await http<Recording>(
      s,
      'POST',
      `/api/lives/${liveId}/recording/publish`,
      { published: true },
      host.token,
    );
    expect(pub.body.published).toBe(true);
    expect((await fetch(`${s.url}/api/lives/${liveId}/recording/index.m3u8`)).status).toBe(200);
    expect((await fetch(`${s.url}/api/lives/${liveId}/recording/${seg}`)).status).toBe(200);

    // Path traversal and other names never reach the disk.
    for (const bad of [
      '..%2F..%2Ftoken-secret',
      'run-0001.sdp',
      '%2Fetc%2Fpasswd',
      'run-0001-00000.m4s%00',
    ]) {
      const r = await http(s, 'GET', `/api/lives/${liveId}/recording/${bad}`);
      expect([400, 404]).toContain(r.status);
      expect(r.body).toMatchObject({ error: { code: expect.stringMatching(/^(VALIDATION|NOT_FOUND)$/) } });
    }
    const missing = await http(s, 'GET', `/api/lives/${liveId}/recording/run-0009-00000.m4s`);
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });

    // The studio list, then delete.
    const list = await http<{ recordings: Recording[] }>(s, 'GET', '/api/recordings', undefined, host.token);
    expect(list.body.recordings.map((r) => r.liveId)).toEqual([liveId]);
    expect(list.body.recordings[0]).toMatchObject({ title: expect.any(String), published: true });
    expect((await http(s, 'DELETE', `/api/lives/${liveId}/recording`, undefined, viewer.token)).status).toBe(
      403,
    );
    expect((await http(s, 'DELETE', `/api/lives/${liveId}/recording`, undefined, host.token)).status).toBe(
      204,
    );
    expect(await http(s, 'GET', `/api/lives/${liveId}/recording`)).toMatchObject({
      status: 404,
      body: { error: { code: 'RECORDING_NOT_FOUND' } },
    });
  }, 200_000);

  it('a mediasoup worker restart under the live: the host republishes and the same recording goes on', async () => {
    const { liveId, host } = await hostWithLive(s);
    const room = await publish(liveId, ['H264']);
    const recorder = s.built.use('replayRecorder');
    await waitFor(async () => (await recorder.recorder(liveId))?.currentRun === 1, 10_000, 'run 1');
    await new Promise((r) => setTimeout(r, 3000));
    process.kill(room.stats().routers[0]!.workerPid, 'SIGKILL');
    await waitFor(() => room.closed, 10_000, 'the room to close with its worker');
    // The host's page reconnects and publishes again; the room is rebuilt on the replacement worker.
    const rebuilt = await publish(liveId, ['H264']);
    expect(rebuilt).not.toBe(room);
    await waitFor(async () => (await recorder.recorder(liveId))?.currentRun === 2, 20_000, 'run 2');
    // NOTE: wait for run 2's media in the playlist, not for the clock (the encoder lags on a loaded machine).
    await waitFor(
      async () => {
        const res = await fetch(`${s.url}/api/lives/${liveId}/recording/index.m3u8`, {
          headers: { authorization: `Bearer ${host.token}` },
        });
        return (await res.text()).includes('run-0002-');
      },
      60_000,
      'run 2 media in the playlist',
    );
    const hostSocket = await joined(s, host.token, liveId);
    await ok(call(hostSocket, 'live:end', { liveId }));
    hostSocket.close();
    const rec = await waitFor(
      async () => {
        const r = await http<Recording>(s, 'GET', `/api/lives/${liveId}/recording`, undefined, host.token);
        return r.body.status === 'ended' ? r.body : undefined;
      },
      60_000,
      'the recording to end',
    );
    expect(rec.gaps.map((g) => g.reason)).toEqual(['room-closed']);
    const text = await (
      await fetch(`${s.url}${rec.playlistUrl}`, { headers: { authorization: `Bearer ${host.token}` } })
    ).text();
    expect(text.match(/#EXT-X-MAP/g)).toHaveLength(2);
    expect(text).toContain('#EXT-X-DISCONTINUITY');
  }, 180_000);

  it('answers stable errors for an unknown live and a live without a recording', async () => {
    const unknown = await http(s, 'GET', '/api/lives/00000000-0000-4000-8000-000000000000/recording');
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'LIVE_NOT_FOUND' } } });
    const { liveId } = await hostWithLive(s);
    expect(await http(s, 'GET', `/api/lives/${liveId}/recording/index.m3u8`)).toMatchObject({
      status: 404,
      body: { error: { code: 'RECORDING_NOT_FOUND' } },
    });
    expect((await http(s, 'GET', '/api/lives/not-a-uuid/recording')).status).toBe(400);
  });
});

describe('replay: recording quota', () => {
  let s: TestServer;
  const logs: Array<Record<string, unknown>> = [];
  const stops: Array<() => void> = [];
  beforeAll(async () => {
    const logStream = new PassThrough();
    logStream.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line));
    });
    s = await startMediaServer(
      [48200, 48399],
      {
        RECORDING_ENABLED: 'true',
        RECORDING_RTP_MIN_PORT: '48400',
        RECORDING_RTP_MAX_PORT: '48599',
        RECORDING_MAX_MB: '1',
        LOG_LEVEL: 'error',
        MEDIA_WORKERS: '1',
      },
      { logStream },
    );
  }, 60_000);
  afterAll(async () => {
    for (const stop of stops) stop();
    await s?.close();
  });

  it('a full quota stops recording with an alert; the live and its media go on', async () => {
    const { liveId, host } = await hostWithLive(s);
    const room = await s.built.use('mediaRooms').acquire(liveId, 'host-encoder');
    const ingest = await room.createIngestTransport('host-encoder');
    await room.produce('host-encoder', ingest.id, {
      kind: 'video',
      rtpParameters: sourceRtpParameters('H264', 0x3333) as never,
    });
    const src = startRtpSource('H264', ingest, 0x3333);
    stops.push(() => src.stop());
    const rec = await waitFor(
      async () => {
        const r = await http<Recording>(s, 'GET', `/api/lives/${liveId}/recording`, undefined, host.token);
        return r.body.status === 'stopped' ? r.body : undefined;
      },
      60_000,
      'recording to stop on the quota',
    );
    expect(rec.stopReason).toBe('quota');
    expect(logs.find((l) => l.alert === 'recording' && l.reason === 'quota')).toMatchObject({
      level: 50,
      liveId,
      msg: expect.stringMatching(/no room left/),
    });
    // The live is untouched: still live, the room still has the host's producer, and no new run starts.
    expect((await http<{ status: string }>(s, 'GET', `/api/lives/${liveId}`)).body.status).toBe('live');
    expect(room.closed).toBe(false);
    expect(room.producers).toHaveLength(1);
    const recorder = await s.built.use('replayRecorder').recorder(liveId);
    expect(recorder?.stopped).toBe(true);
    expect(recorder?.currentRun).toBeUndefined();
  }, 90_000);
});
