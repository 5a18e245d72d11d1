/**
 * Recording against a real mediasoup 3.8.4 worker and real ffmpeg: the "host" is an ffmpeg encoder sending
 * RTP to the room's ingest transports; the recorder taps the producers through PlainTransports into a second
 * ffmpeg that writes fMP4 HLS. ffprobe reads what was written.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { FFMPEG, type SourceCodec, sourceRtpParameters, startRtpSource } from '../../../test/rtp-source';
import { MediaRoom } from '../media-room';
import { createWorkerPool } from '../worker-pool';
import { LiveRecorder, type LiveRecorderEvents } from './live-recorder';
import { createUdpPortPairs } from './udp-ports';

const run = promisify(execFile);
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const pool = await createWorkerPool({
    numWorkers: 1,
    rtcMinPort: 46600,
    rtcMaxPort: 46799,
    logLevel: 'none',
  });
  cleanups.push(() => pool.close());
  const room = await MediaRoom.create({ pool, liveId: 'live-rec' });
  cleanups.push(() => room.close());
  const dir = await mkdtemp(join(tmpdir(), 'lc-rec-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const recorder = new LiveRecorder({
    liveId: 'live-rec',
    dir,
    ffmpegBin: FFMPEG,
    ports: createUdpPortPairs({ min: 47600, max: 47799 }),
    firstRun: 1,
    settleMs: 200,
  });
  cleanups.push(() => recorder.stop());
  const events: Array<{ type: keyof LiveRecorderEvents; data: Record<string, unknown> }> = [];
  for (const type of ['runstarted', 'runended', 'alert'] as const) {
    recorder.on(type, (data: object) => events.push({ type, data: data as Record<string, unknown> }));
  }
  return { room, dir, recorder, events };
}

let ssrc = 0x1000;
/** The host publishes a track from an ffmpeg encoder; returns a stop that closes the encoder and the producer. */
async function publish(room: MediaRoom, codec: SourceCodec) {
  const ingest = await room.createIngestTransport('host');
  ssrc += 1;
  const { id } = await room.produce('host', ingest.id, {
    kind: codec === 'opus' ? 'audio' : 'video',
    rtpParameters: sourceRtpParameters(codec, ssrc) as never,
  });
  const source = startRtpSource(codec, ingest, ssrc);
  cleanups.push(() => source.stop());
  return { producerId: id, stop: () => source.stop() };
}

const playlist = (dir: string, n: number) =>
  readFile(join(dir, `run-${String(n).padStart(4, '0')}.m3u8`), 'utf8');
const seconds = (m3u8: string) =>
  [...m3u8.matchAll(/#EXTINF:([\d.]+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);

async function probe(dir: string, n: number) {
  const name = `run-${String(n).padStart(4, '0')}`;
  // The init segment and the first media segment together are a playable fragment.
  const files = (await readdir(dir)).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.m4s')).sort();
  const joined = join(dir, `${name}-probe.mp4`);
  const parts = await Promise.all([readFile(join(dir, `${name}-init.mp4`)), readFile(join(dir, files[0]!))]);
  await writeFile(joined, Buffer.concat(parts));
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', joined]);
  return (JSON.parse(stdout) as { streams: Array<{ codec_name: string; width?: number }> }).streams;
}

const until = async (cond: () => boolean, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('live recorder', () => {
  it('writes fMP4 HLS of the host’s H264 video (copied) and Opus audio, and finishes the playlist on stop', async () => {
    const { room, dir, recorder, events } = await setup();
    await publish(room, 'opus');
    await publish(room, 'H264');
    recorder.attach(room);
    await until(() => events.some((e) => e.type === 'runstarted'), 5000, 'a run');
    const sdp = await readFile(join(dir, 'run-0001.sdp'), 'utf8');
    expect(sdp).toMatch(/m=audio \d+ RTP\/AVP \d+\r\na=rtpmap:\d+ opus\/48000\/2/);
    expect(sdp).toMatch(
      /m=video \d+ RTP\/AVP \d+\r\na=rtpmap:\d+ H264\/90000\r\na=fmtp:\d+ .*packetization-mode=1/,
    );
    await new Promise((r) => setTimeout(r, 7000));
    await recorder.stop();
    const m3u8 = await playlist(dir, 1);
    expect(m3u8).toContain('#EXT-X-ENDLIST');
    expect(m3u8).toContain('#EXT-X-MAP:URI="run-0001-init.mp4"');
    expect(seconds(m3u8)).toBeGreaterThan(3);
    const streams = await probe(dir, 1);
    expect(streams.map((s) => s.codec_name).sort()).toEqual(['h264', 'opus']);
    expect(streams.find((s) => s.codec_name === 'h264')?.width).toBe(640);
    expect(events.filter((e) => e.type === 'runended').map((e) => e.data.reason)).toEqual(['stopped']);
    expect(events.some((e) => e.type === 'alert')).toBe(false);
  }, 40_000);

  it('re-encodes VP8 to H264 (fMP4 cannot carry VP8 for browsers)', async () => {
    const { room, dir, recorder, events } = await setup();
    await publish(room, 'VP8');
    recorder.attach(room);
    await until(() => events.some((e) => e.type === 'runstarted'), 5000, 'a run');
    expect(events[0]?.data).toMatchObject({ run: 1, kinds: ['video'], videoCodec: 'VP8' });
    await new Promise((r) => setTimeout(r, 5000));
    await recorder.stop();
    expect(seconds(await playlist(dir, 1))).toBeGreaterThan(2);
    expect((await probe(dir, 1)).map((s) => s.codec_name)).toEqual(['h264']);
  }, 40_000);

  it('a host reconnect (new producers) continues the recording as the next run', async () => {
    const { room, dir, recorder, events } = await setup();
    const first = await publish(room, 'H264');
    recorder.attach(room);
    await until(() => events.some((e) => e.type === 'runstarted'), 5000, 'run 1');
    await new Promise((r) => setTimeout(r, 4000));
    // The host's transport goes away with its producer, as when its page reconnects.
    first.stop();
    room.closePeer('host');
    await until(() => events.some((e) => e.type === 'runended'), 8000, 'run 1 to end');
    await publish(room, 'H264');
    await until(() => events.filter((e) => e.type === 'runstarted').length === 2, 5000, 'run 2');
    await new Promise((r) => setTimeout(r, 4000));
    await recorder.stop();
    expect(events.map((e) => [e.type, e.data.run, e.data.reason ?? null])).toEqual([
      ['runstarted', 1, null],
      ['runended', 1, 'producer-closed'],
      ['runstarted', 2, null],
      ['runended', 2, 'stopped'],
    ]);
    expect(seconds(await playlist(dir, 1))).toBeGreaterThan(2);
    expect(seconds(await playlist(dir, 2))).toBeGreaterThan(2);
  }, 40_000);

  it('ffmpeg killed mid-live: an alert, the run ends with a noted gap, and a new run starts on the same producers', async () => {
    const { room, dir, recorder, events } = await setup();
    await publish(room, 'H264');
    recorder.attach(room);
    await until(() => events.some((e) => e.type === 'runstarted'), 5000, 'run 1');
    await until(() => existsSync(join(dir, 'run-0001.m3u8')), 15_000, 'a first segment');
    const pid = recorder.ffmpegPid!;
    process.kill(pid, 'SIGKILL');
    await until(() => events.filter((e) => e.type === 'runstarted').length === 2, 8000, 'run 2');
    expect(recorder.ffmpegPid).not.toBe(pid);
    await new Promise((r) => setTimeout(r, 4000));
    await recorder.stop();
    const alert = events.find((e) => e.type === 'alert');
    expect(alert?.data).toMatchObject({ run: 1, message: expect.stringMatching(/ffmpeg exited/) });
    expect(String(alert?.data.detail)).toMatch(/SIGKILL/);
    const ended = events.filter((e) => e.type === 'runended').map((e) => e.data);
    expect(ended.map((e) => e.reason)).toEqual(['ffmpeg-exited', 'stopped']);
    // A killed ffmpeg leaves its playlist without an end, but every segment it listed is there.
    const m3u8 = await playlist(dir, 1);
    expect(m3u8).not.toContain('#EXT-X-ENDLIST');
    for (const seg of m3u8.match(/run-0001-\d{5}\.m4s/g) ?? []) {
      expect((await readdir(dir)).includes(seg)).toBe(true);
    }
    expect(seconds(await playlist(dir, 2))).toBeGreaterThan(2);
  }, 40_000);
});

it('stops with the room closing under it and records nothing more', async () => {
  const { room, recorder, events } = await setup();
  await publish(room, 'opus');
  recorder.attach(room);
  await until(() => events.some((e) => e.type === 'runstarted'), 5000, 'run 1');
  const ended = once(recorder, 'runended');
  room.close('worker died');
  const [data] = (await ended) as [{ reason: string }];
  expect(data.reason).toBe('room-closed');
  expect(recorder.currentRun).toBeUndefined();
}, 20_000);
