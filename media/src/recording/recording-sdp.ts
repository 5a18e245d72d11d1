/**
 * The SDP ffmpeg reads to receive a recording's RTP: one m-line per consumer on a PlainTransport that sends to
 * 127.0.0.1:<port> (RTCP on port + 1, no mux: ffmpeg's RTP demuxer listens on both). Pure text, unit-tested.
 */

export interface SdpStream {
  kind: 'audio' | 'video';
  /** Even UDP port ffmpeg listens on for RTP (RTCP on port + 1). */
  port: number;
  payloadType: number;
  /** `opus`, `VP8`, `H264` … (the part after `audio/` or `video/`). */
  codec: string;
  clockRate: number;
  channels?: number;
  /** fmtp parameters as mediasoup gives them (`packetization-mode` …). */
  parameters?: Record<string, unknown>;
}

export function buildRecordingSdp(streams: readonly SdpStream[], ip = '127.0.0.1'): string {
  if (streams.length === 0) throw new Error('a recording needs at least one stream');
  const lines = ['v=0', `o=- 0 0 IN IP4 ${ip}`, 's=live-commerce recording', `c=IN IP4 ${ip}`, 't=0 0'];
  for (const s of streams) {
    if (s.port % 2 !== 0) throw new Error(`RTP port ${s.port} must be even (RTCP goes on port + 1)`);
    lines.push(`m=${s.kind} ${s.port} RTP/AVP ${s.payloadType}`);
    const channels = s.kind === 'audio' && s.channels ? `/${s.channels}` : '';
    lines.push(`a=rtpmap:${s.payloadType} ${s.codec}/${s.clockRate}${channels}`);
    const fmtp = Object.entries(s.parameters ?? {})
      .filter(([k]) => !k.startsWith('x-google'))
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(';');
    if (fmtp) lines.push(`a=fmtp:${s.payloadType} ${fmtp}`);
    lines.push('a=recvonly');
  }
  return `${lines.join('\r\n')}\r\n`;
}
