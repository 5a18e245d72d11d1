import { describe, expect, it } from 'vitest';
import { offsetAt, stitchPlaylist } from './playlist';

const run = (n: number, secs: number[], end = true) => {
  const name = `run-${String(n).padStart(4, '0')}`;
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    '#EXT-X-TARGETDURATION:2',
    '#EXT-X-PLAYLIST-TYPE:EVENT',
    `#EXT-X-MAP:URI="${name}-init.mp4"`,
    ...secs.flatMap((s, i) => [`#EXTINF:${s},`, `${name}-${String(i).padStart(5, '0')}.m4s`]),
    ...(end ? ['#EXT-X-ENDLIST'] : []),
  ].join('\n');
};

describe('recording playlist', () => {
  it('plays the runs back to back with a discontinuity and each run’s own init segment', () => {
    const text = stitchPlaylist(
      [
        { run: 1, text: run(1, [2, 2, 1.5]) },
        { run: 2, text: '' }, // ffmpeg died before its first segment
        { run: 3, text: run(3, [2.2, 0.4], false) },
      ],
      true,
    );
    expect(text.split('\n')).toEqual([
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-TARGETDURATION:3',
      '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-MAP:URI="run-0001-init.mp4"',
      '#EXTINF:2.000000,',
      'run-0001-00000.m4s',
      '#EXTINF:2.000000,',
      'run-0001-00001.m4s',
      '#EXTINF:1.500000,',
      'run-0001-00002.m4s',
      '#EXT-X-DISCONTINUITY',
      '#EXT-X-MAP:URI="run-0003-init.mp4"',
      '#EXTINF:2.200000,',
      'run-0003-00000.m4s',
      '#EXTINF:0.400000,',
      'run-0003-00001.m4s',
      '#EXT-X-ENDLIST',
      '',
    ]);
    expect(stitchPlaylist([{ run: 1, text: run(1, [2]) }], false)).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    expect(stitchPlaylist([{ run: 1, text: run(1, [2]) }], false)).not.toContain('ENDLIST');
  });

  it('maps a moment of the live to its offset: inside a run, in a gap (next run’s start), before and after', () => {
    const spans = [
      { run: 1, startedAt: 10_000, endedAt: 20_000, seconds: 9.5 },
      { run: 2, startedAt: 25_000, endedAt: 30_000, seconds: 5 },
    ];
    expect(offsetAt(5_000, spans)).toBe(0);
    expect(offsetAt(12_000, spans)).toBe(2_000);
    expect(offsetAt(19_800, spans)).toBe(9_500); // past the media the run holds: its end
    expect(offsetAt(22_000, spans)).toBe(9_500); // in the gap: where run 2 starts
    expect(offsetAt(26_500, spans)).toBe(11_000);
    expect(offsetAt(99_000, spans)).toBe(14_500);
  });
});
