import { describe, expect, it } from 'vitest';
import { ffmpegHlsArgs, RECORDING_FILE } from './ffmpeg-hls';
import { buildRecordingSdp } from './recording-sdp';

describe('recording SDP', () => {
  it('describes each tap as an m-line ffmpeg listens on, with rtpmap and fmtp (x-google parameters left out)', () => {
    const sdp = buildRecordingSdp([
      { kind: 'audio', port: 50000, payloadType: 100, codec: 'opus', clockRate: 48000, channels: 2 },
      {
        kind: 'video',
        port: 50002,
        payloadType: 102,
        codec: 'H264',
        clockRate: 90000,
        parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'x-google-start-bitrate': 1000 },
      },
    ]);
    expect(sdp.split('\r\n')).toEqual([
      'v=0',
      'o=- 0 0 IN IP4 127.0.0.1',
      's=live-commerce recording',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      'm=audio 50000 RTP/AVP 100',
      'a=rtpmap:100 opus/48000/2',
      'a=recvonly',
      'm=video 50002 RTP/AVP 102',
      'a=rtpmap:102 H264/90000',
      'a=fmtp:102 packetization-mode=1;profile-level-id=42e01f',
      'a=recvonly',
      '',
    ]);
  });

  it('refuses an odd RTP port (RTCP takes port + 1) and an empty recording', () => {
    expect(() =>
      buildRecordingSdp([{ kind: 'audio', port: 50001, payloadType: 100, codec: 'opus', clockRate: 48000 }]),
    ).toThrow(/even/);
    expect(() => buildRecordingSdp([])).toThrow(/at least one/);
  });
});

describe('ffmpeg HLS arguments', () => {
  const args = (videoCodec?: string) => ffmpegHlsArgs({ dir: '/r', run: 3, videoCodec, segmentSeconds: 2 });
  it('copies H264 and Opus, re-encodes VP8 with a keyframe at every segment boundary', () => {
    expect(args('H264').join(' ')).toContain('-c:v copy -c:a copy');
    const vp8 = args('VP8').join(' ');
    expect(vp8).toContain('-c:v libx264');
    expect(vp8).toContain('-force_key_frames expr:gte(t,n_forced*2)');
    expect(args().join(' ')).not.toContain('-c:v');
  });
  it('names every file it writes so the serving guard accepts them', () => {
    const a = args('H264');
    expect(a.at(-1)).toBe('/r/run-0003.m3u8');
    expect(a[a.indexOf('-hls_fmp4_init_filename') + 1]).toMatch(RECORDING_FILE);
    expect('run-0003-00012.m4s').toMatch(RECORDING_FILE);
    for (const bad of [
      '../run-0003.m3u8',
      'run-0003.sdp',
      'run-3.m3u8',
      'run-0003-00012.m4s/..',
      '.run-0003.m3u8',
    ]) {
      expect(bad).not.toMatch(RECORDING_FILE);
    }
  });
});
