/**
 * Benchmark: CPU of recording one live per minute of live (issue #17). A 720p30 test pattern (H264, or VP8 as
 * browsers send it) and Opus enter a media room through the RTP ingest; the LiveRecorder records them with ffmpeg.
 * Modes alternate A B A B: `copy` (H264 → fMP4 as is) and `vp8-transcode` (VP8 → H264 veryfast). Reported: the
 * recording ffmpeg's CPU-seconds (from /proc) and the mediasoup worker's, per minute of live. The encoders that
 * play the host are not counted.
 *
 *   MEDIASOUP_WORKER_BIN=… npx tsx media/bench/recording-cpu.ts [--seconds 30] [--rounds 2]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FFMPEG, type SourceCodec, sourceRtpParameters, startRtpSource } from '../../test/rtp-source';
import { MediaRoom } from '../src/media-room';
import { LiveRecorder } from '../src/recording/live-recorder';
import { createUdpPortPairs } from '../src/recording/udp-ports';
import { createWorkerPool } from '../src/worker-pool';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '30' }, rounds: { type: 'string', default: '2' } },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const TICK = 100; // USER_HZ on Linux

const procCpu = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The host's 720p30 video, encoded once before measuring and then sent as is in a loop: on a loaded machine a
 * live encoder would drop frames, and the recorder's CPU would be measured at whatever rate it managed.
 */
const clipDir = mkdtempSync(join(tmpdir(), 'lc-rec-clips-'));
const clips = { H264: join(clipDir, 'h264.mkv'), VP8: join(clipDir, 'vp8.webm') };
const encode = (args: string[]) => {
  const r = spawnSync(FFMPEG, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=1280x720:rate=30',
    '-t',
    '10',
    '-g',
    '60',
    ...args,
  ]);
  if (r.status !== 0) throw new Error(`encoding a clip failed: ${r.stderr}`);
};
encode([
  '-c:v',
  'libx264',
  '-profile:v',
  'baseline',
  '-preset',
  'veryfast',
  '-b:v',
  '2500k',
  '-pix_fmt',
  'yuv420p',
  '-x264-params',
  'repeat-headers=1',
  clips.H264,
]);
encode(['-c:v', 'libvpx', '-deadline', 'good', '-cpu-used', '4', '-b:v', '2500k', clips.VP8]);

async function round(mode: 'copy' | 'vp8-transcode') {
  const pool = await createWorkerPool({
    numWorkers: 1,
    rtcMinPort: 46400,
    rtcMaxPort: 46599,
    logLevel: 'none',
  });
  const room = await MediaRoom.create({ pool, liveId: 'bench' });
  const dir = mkdtempSync(join(tmpdir(), 'lc-rec-bench-'));
  const sources: Array<{ stop(): void }> = [];
  const recorder = new LiveRecorder({
    liveId: 'bench',
    dir,
    ffmpegBin: FFMPEG,
    ports: createUdpPortPairs({ min: 46200, max: 46399 }),
    firstRun: 1,
  });
  try {
    const codecs: SourceCodec[] = ['opus', mode === 'copy' ? 'H264' : 'VP8'];
    for (const [i, codec] of codecs.entries()) {
      const ingest = await room.createIngestTransport('host');
      const ssrc = 0x5000 + i;
      await room.produce('host', ingest.id, {
        kind: codec === 'opus' ? 'audio' : 'video',
        rtpParameters: sourceRtpParameters(codec, ssrc) as never,
      });
      const file = codec === 'opus' ? undefined : clips[codec as 'H264' | 'VP8'];
      sources.push(startRtpSource(codec, ingest, ssrc, '1280x720', file));
    }
    recorder.attach(room);
    while (!recorder.ffmpegPid) await sleep(100);
    await sleep(3000); // past ffmpeg's start-up (probing, first keyframe)
    const pid = recorder.ffmpegPid;
    const worker = pool.workers[0]!;
    const usage = async () => {
      const u = await worker.getResourceUsage();
      return (u.ru_utime + u.ru_stime) / 1000;
    };
    const [f0, w0, t0] = [procCpu(pid), await usage(), Date.now()];
    await sleep(seconds * 1000);
    const [f1, w1, t1] = [procCpu(pid), await usage(), Date.now()];
    const minutes = (t1 - t0) / 60_000;
    return {
      mode,
      wallSeconds: (t1 - t0) / 1000,
      ffmpegCpuSecondsPerMinute: (f1 - f0) / minutes,
      workerCpuSecondsPerMinute: (w1 - w0) / minutes,
      sameFfmpegThroughout: recorder.ffmpegPid === pid,
    };
  } finally {
    await recorder.stop();
    for (const s of sources) s.stop();
    room.close();
    pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const runs: Array<Awaited<ReturnType<typeof round>>> = [];
for (let i = 0; i < rounds; i++) {
  for (const mode of ['copy', 'vp8-transcode'] as const) {
    const r = await round(mode);
    console.log(JSON.stringify(r));
    runs.push(r);
  }
}
rmSync(clipDir, { recursive: true, force: true });
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const summary = Object.fromEntries(
  (['copy', 'vp8-transcode'] as const).map((m) => {
    const of = runs.filter((r) => r.mode === m);
    return [
      m,
      {
        ffmpegCpuSecondsPerMinute: median(of.map((r) => r.ffmpegCpuSecondsPerMinute)),
        workerCpuSecondsPerMinute: median(of.map((r) => r.workerCpuSecondsPerMinute)),
      },
    ];
  }),
);
const report = {
  node: process.version,
  seconds,
  rounds,
  loadavg: readFileSync('/proc/loadavg', 'utf8').trim(),
  runs,
  summary,
};
const out = join('load-tests', 'results', new Date().toISOString().slice(0, 10));
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'recording-cpu.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(summary, null, 2));
process.exit(0);
