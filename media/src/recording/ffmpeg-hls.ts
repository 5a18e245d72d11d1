/**
 * One ffmpeg process of a recording run: reads the run's SDP (RTP from mediasoup on loopback) and writes fMP4 HLS
 * (`run-NNNN.m3u8`, `run-NNNN-init.mp4`, `run-NNNN-00000.m4s` …) into the recording's folder. H264 and Opus are
 * copied; VP8 is re-encoded to H264 because ffmpeg cannot put VP8 in fMP4 and browsers' MSE would not play it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const runName = (run: number) => `run-${String(run).padStart(4, '0')}`;
/** Every file name a recording folder may hold and serve (also the path-traversal guard of the HTTP layer). */
export const RECORDING_FILE = /^run-\d{4}(?:\.m3u8|-init\.mp4|-\d{5}\.m4s)$/;

export interface HlsArgsInput {
  dir: string;
  run: number;
  /** The recorded video codec (`H264` is copied, anything else re-encoded); absent: audio only. */
  videoCodec?: string;
  segmentSeconds: number;
}

export function ffmpegHlsArgs({ dir, run, videoCodec, segmentSeconds }: HlsArgsInput): string[] {
  const name = runName(run);
  const copyVideo = videoCodec?.toUpperCase() === 'H264';
  const video = !videoCodec
    ? []
    : copyVideo
      ? ['-c:v', 'copy']
      : [
          '-c:v',
          'libx264',
          '-preset',
          'veryfast',
          '-tune',
          'zerolatency',
          '-pix_fmt',
          'yuv420p',
          // NOTE: a keyframe at every segment boundary, so segments are cut on time and each one seeks alone.
          '-force_key_frames',
          `expr:gte(t,n_forced*${segmentSeconds})`,
        ];
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'warning',
    '-protocol_whitelist',
    'file,udp,rtp',
    '-fflags',
    '+genpts',
    '-analyzeduration',
    '5000000',
    '-f',
    'sdp',
    '-i',
    join(dir, `${name}.sdp`),
    '-map',
    '0',
    ...video,
    '-c:a',
    'copy',
    '-f',
    'hls',
    '-hls_time',
    String(segmentSeconds),
    '-hls_list_size',
    '0',
    '-hls_playlist_type',
    'event',
    '-hls_segment_type',
    'fmp4',
    '-hls_fmp4_init_filename',
    `${name}-init.mp4`,
    '-hls_segment_filename',
    join(dir, `${name}-%05d.m4s`),
    join(dir, `${name}.m3u8`),
  ];
}

export interface FfmpegRun {
  readonly process: ChildProcess;
  /** Resolves when the process exited (code null when killed by a signal). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  /** Asks ffmpeg to finish (SIGINT writes the playlist's end); SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnFfmpeg(bin: string, args: string[]): FfmpegRun {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    // Keep the tail only: it names why ffmpeg stopped.
    stderr = (stderr + d).slice(-4000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => {
      child.once('error', (err) => resolve({ code: -1, signal: null, stderr: String(err) }));
      child.once('exit', (code, signal) => resolve({ code, signal, stderr }));
    },
  );
  return {
    process: child,
    exited,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
