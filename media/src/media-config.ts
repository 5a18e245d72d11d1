/**
 * Media options: the zod schema for everything the mediasoup layer is configured with (worker count, RTC port
 * range, listen/announced IP, router fan-out threshold, worker log level), plus the router codec list and the
 * transport defaults every media room uses. Pure data — no mediasoup objects are created here.
 */
import os from 'node:os';
import type { types as ms } from 'mediasoup';
import { z } from 'zod';

const port = z.coerce.number().int().min(1024).max(65535);

export const MediaConfigSchema = z
  .object({
    /** mediasoup worker processes (one per core is the usual sizing; each is single-threaded). */
    numWorkers: z.coerce
      .number()
      .int()
      .min(1)
      .max(256)
      .default(() => Math.max(1, os.cpus().length)),
    /** UDP/TCP port range shared by all workers for WebRTC transports. */
    rtcMinPort: port.default(40000),
    rtcMaxPort: port.default(49999),
    /** Local IP the transports bind to (0.0.0.0 for all interfaces, then set announcedIp). */
    listenIp: z.union([z.ipv4(), z.ipv6()]).default('127.0.0.1'),
    /** IP (or host name) put in ICE candidates when the listen IP is not reachable by browsers (NAT, 0.0.0.0). */
    announcedIp: z.string().min(1).optional(),
    /** Consumers one router takes before new viewers are placed on a piped router on another worker. */
    consumersPerRouterThreshold: z.coerce.number().int().min(1).default(400),
    logLevel: z.enum(['debug', 'warn', 'error', 'none']).default('warn'),
  })
  .refine((c) => c.rtcMinPort <= c.rtcMaxPort, {
    message: 'rtcMinPort must be <= rtcMaxPort',
    path: ['rtcMaxPort'],
  });

export type MediaConfig = z.output<typeof MediaConfigSchema>;
export type MediaConfigInput = z.input<typeof MediaConfigSchema>;

export function parseMediaConfig(input: MediaConfigInput = {}): MediaConfig {
  return MediaConfigSchema.parse(input);
}

/** Structured logger the media layer reports to (a pino logger fits); defaults to silence. */
export interface MediaLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
export const silentLogger: MediaLogger = { info() {}, warn() {}, error() {} };

/** Router codecs: Opus for audio; VP8 (simulcast) and H264 baseline for video — what every browser sends. */
export const mediaCodecs: ms.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  {
    kind: 'video',
    mimeType: 'video/VP8',
    clockRate: 90000,
    parameters: { 'x-google-start-bitrate': 1000 },
  },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: {
      'packetization-mode': 1,
      'profile-level-id': '42e01f',
      'level-asymmetry-allowed': 1,
      'x-google-start-bitrate': 1000,
    },
  },
];

/** WebRTC transport defaults (as in mediasoup-demo). */
export const webRtcTransportDefaults = {
  initialAvailableOutgoingBitrate: 1_000_000,
  /** Cap on what one host uplink may push into a router (simulcast 3 layers fit). */
  maxIncomingBitrate: 3_000_000,
} as const;
