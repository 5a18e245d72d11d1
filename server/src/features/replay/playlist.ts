/**
 * One HLS playlist for a whole recording: each run's playlist (written by its ffmpeg) in run order, a
 * discontinuity between runs (new encoder timestamps, maybe new codec parameters), and the map from wall-clock
 * time during the live to the offset in that playlist (chapters, comments and products of the moment).
 */

export interface RunPlaylist {
  run: number;
  /** The run's own m3u8 text; empty when ffmpeg wrote no segment. */
  text: string;
}
export interface RunSpan {
  run: number;
  startedAt: number;
  endedAt: number | null;
  /** Seconds of media the run's playlist holds. */
  seconds: number;
}

interface Parsed {
  map?: string;
  segments: Array<{ seconds: number; uri: string }>;
}

export function parseRunPlaylist(text: string): Parsed {
  const out: Parsed = { segments: [] };
  let pending: number | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXT-X-MAP:')) out.map = /URI="([^"]+)"/.exec(line)?.[1];
    else if (line.startsWith('#EXTINF:')) pending = Number.parseFloat(line.slice(8));
    else if (line && !line.startsWith('#') && pending !== undefined) {
      out.segments.push({ seconds: pending, uri: line });
      pending = undefined;
    }
  }
  return out;
}

export const runSeconds = (text: string): number =>
  parseRunPlaylist(text).segments.reduce((sum, s) => sum + s.seconds, 0);

/** The recording's playlist: VOD with an end once the recording finished, EVENT while it is being written. */
export function stitchPlaylist(runs: readonly RunPlaylist[], finished: boolean): string {
  const parsed = runs.map((r) => parseRunPlaylist(r.text)).filter((p) => p.map && p.segments.length > 0);
  const target = Math.max(1, ...parsed.flatMap((p) => p.segments.map((s) => Math.ceil(s.seconds))));
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${target}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    `#EXT-X-PLAYLIST-TYPE:${finished ? 'VOD' : 'EVENT'}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  parsed.forEach((p, i) => {
    if (i > 0) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(`#EXT-X-MAP:URI="${p.map}"`);
    for (const s of p.segments) lines.push(`#EXTINF:${s.seconds.toFixed(6)},`, s.uri);
  });
  if (finished) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/**
 * Where a moment of the live (epoch ms) is in the stitched playlist, in ms: the runs play back to back, so a
 * moment inside a run is that run's start offset plus the time since it started (capped at its length); a
 * moment in a gap between runs (nothing was recorded) is the start of the next run; before the first run, 0.
 */
export function offsetAt(at: number, spans: readonly RunSpan[]): number {
  let offset = 0;
  for (const s of spans) {
    const length = s.seconds * 1000;
    if (at < s.startedAt) return Math.round(offset);
    if (at <= s.startedAt + length) return Math.round(offset + (at - s.startedAt));
    offset += length;
  }
  return Math.round(offset);
}
