/**
 * A host camera and microphone without a browser: ffmpeg encodes a test picture (H264 or VP8) and a tone (Opus)
 * and sends RTP to a media room's ingest transports (comedia, RTCP muxed). Real encoded frames with real
 * keyframes, so video consumers forward it.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';

export type SourceCodec = 'H264' | 'VP8' | 'opus';

const ENCODERS: Record<SourceCodec, string[]> = {
  H264: [
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=640x360:rate=30',
    '-c:v',
    'libx264',
    '-profile:v',
    'baseline',
    '-preset',
    'ultrafast',
    '-tune',
    'zerolatency',
    '-g',
    '30',
    '-pix_fmt',
    'yuv420p',
    // SPS/PPS with every keyframe, as browsers send them (a receiver that joins late needs them).
    '-bsf:v',
    'dump_extra=freq=keyframe',
  ],
  VP8: [
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=640x360:rate=30',
    '-c:v',
    'libvpx',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    '-b:v',
    '600k',
    '-g',
    '30',
  ],
  opus: ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-c:a', 'libopus', '-ac', '2'],
};

export const SOURCE_PT: Record<SourceCodec, number> = { H264: 102, VP8: 101, opus: 100 };

/** RTP parameters to produce what `startRtpSource(codec, …)` sends. */
export function sourceRtpParameters(codec: SourceCodec, ssrc: number) {
  const payloadType = SOURCE_PT[codec];
  const c =
    codec === 'opus'
      ? { mimeType: 'audio/opus', payloadType, clockRate: 48000, channels: 2 }
      : codec === 'VP8'
        ? { mimeType: 'video/VP8', payloadType, clockRate: 90000 }
        : {
            mimeType: 'video/H264',
            payloadType,
            clockRate: 90000,
            parameters: {
              'packetization-mode': 1,
              'profile-level-id': '42e01f',
              'level-asymmetry-allowed': 1,
            },
          };
  return { codecs: [c], encodings: [{ ssrc }] };
}

export function startRtpSource(codec: SourceCodec, target: { ip: string; port: number }, ssrc: number) {
  const url = `rtp://${target.ip}:${target.port}?rtcpport=${target.port}&pkt_size=1200`;
  const child: ChildProcess = spawn(
    FFMPEG,
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-re',
      ...ENCODERS[codec],
      '-payload_type',
      String(SOURCE_PT[codec]),
      '-ssrc',
      String(ssrc),
      // NOTE: ffmpeg sends RTCP from a second socket; the ingest (comedia) would learn that address from a
      // first RTCP packet and then drop the RTP. The room needs no sender reports from this source.
      '-rtpflags',
      'skip_rtcp',
      '-f',
      'rtp',
      url,
    ],
    { stdio: 'ignore' },
  );
  return {
    child,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
