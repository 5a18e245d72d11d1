/**
 * Media signaling (`sfu:*`) wire shapes. Every parameter that reaches a mediasoup worker is parsed here first:
 * bounded numbers (payload types, SSRCs, header-extension ids), bounded strings and arrays, and known fields
 * only (zod drops unknown keys), so a malformed request is a `VALIDATION` ack, never a worker error or crash.
 * Shared by the server, the browser client and load tests.
 */
import { z } from 'zod';

const LiveIdField = z.string().uuid();
/** mediasoup object ids (transports, producers, consumers) are UUIDs. */
export const MediaObjectId = z.string().uuid();

export const MediaKind = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof MediaKind>;
export const TransportDirection = z.enum(['send', 'recv']);
export type TransportDirection = z.infer<typeof TransportDirection>;

const uint32 = z.number().int().min(0).max(0xffff_ffff);
const payloadType = z.number().int().min(0).max(127);
const mimeType = z
  .string()
  .max(64)
  .regex(/^(audio|video)\/[A-Za-z0-9.+-]{1,48}$/, 'must look like audio/opus or video/VP8');
const clockRate = z.number().int().min(1000).max(200_000);
const channels = z.number().int().min(1).max(8);
const token = (max: number) => z.string().min(1).max(max);
/** Codec `fmtp` parameters: a few short string or number values. */
const codecParameters = z
  .record(z.string().min(1).max(64), z.union([z.string().max(256), z.number().finite()]))
  .refine((r) => Object.keys(r).length <= 32, 'at most 32 parameters');
const RtcpFeedback = z.object({ type: token(32), parameter: z.string().max(32).optional() });

export const RtpCodecParameters = z.object({
  mimeType,
  payloadType,
  clockRate,
  channels: channels.optional(),
  parameters: codecParameters.optional(),
  rtcpFeedback: z.array(RtcpFeedback).max(16).optional(),
});

export const RtpHeaderExtensionParameters = z.object({
  uri: token(256),
  /** One-byte (1–14) or two-byte (up to 255) header extension ids. */
  id: z.number().int().min(1).max(255),
  encrypt: z.boolean().optional(),
  parameters: codecParameters.optional(),
});

export const RtpEncodingParameters = z.object({
  ssrc: uint32.optional(),
  rid: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,16}$/)
    .optional(),
  codecPayloadType: payloadType.optional(),
  rtx: z.object({ ssrc: uint32 }).optional(),
  dtx: z.boolean().optional(),
  scalabilityMode: z
    .string()
    .regex(/^[LS][1-4]T[1-4](_KEY)?(_SHIFT)?h?$/, 'like L1T3 or S3T3')
    .optional(),
  scaleResolutionDownBy: z.number().min(1).max(64).optional(),
  maxBitrate: z.number().int().min(1).max(100_000_000).optional(),
});

export const RtpParameters = z.object({
  mid: z.string().max(32).optional(),
  codecs: z.array(RtpCodecParameters).min(1).max(16),
  headerExtensions: z.array(RtpHeaderExtensionParameters).max(32).optional(),
  /** Simulcast has up to 4 encodings; one for a plain stream. */
  encodings: z.array(RtpEncodingParameters).min(1).max(4).optional(),
  rtcp: z
    .object({
      cname: z.string().max(256).optional(),
      reducedSize: z.boolean().optional(),
      mux: z.boolean().optional(),
    })
    .optional(),
});
export type RtpParameters = z.infer<typeof RtpParameters>;

export const RtpCapabilities = z.object({
  codecs: z
    .array(
      z.object({
        kind: MediaKind,
        mimeType,
        preferredPayloadType: payloadType.optional(),
        clockRate,
        channels: channels.optional(),
        parameters: codecParameters.optional(),
        rtcpFeedback: z.array(RtcpFeedback).max(16).optional(),
      }),
    )
    .max(64)
    .optional(),
  headerExtensions: z
    .array(
      z.object({
        kind: MediaKind,
        uri: token(256),
        preferredId: z.number().int().min(1).max(255),
        preferredEncrypt: z.boolean().optional(),
        direction: z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']).optional(),
      }),
    )
    .max(64)
    .optional(),
});
export type RtpCapabilities = z.infer<typeof RtpCapabilities>;

const FINGERPRINT_BYTES = {
  'sha-1': 20,
  'sha-224': 28,
  'sha-256': 32,
  'sha-384': 48,
  'sha-512': 64,
} as const;
export const DtlsFingerprint = z
  .object({
    algorithm: z.enum(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']),
    value: z.string().regex(/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){19,63}$/, 'colon-separated hex bytes'),
  })
  .refine((f) => f.value.split(':').length === FINGERPRINT_BYTES[f.algorithm], {
    message: 'fingerprint length does not match its algorithm',
    path: ['value'],
  });

export const DtlsParameters = z.object({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z.array(DtlsFingerprint).min(1).max(8),
});
export type DtlsParameters = z.infer<typeof DtlsParameters>;

// ---- Command payloads (client → server) ----

export const SfuLiveRef = z.object({ liveId: LiveIdField });
export type SfuLiveRef = z.infer<typeof SfuLiveRef>;

export const TransportCreatePayload = z.object({ liveId: LiveIdField, direction: TransportDirection });
export type TransportCreatePayload = z.infer<typeof TransportCreatePayload>;

export const TransportConnectPayload = z.object({
  liveId: LiveIdField,
  transportId: MediaObjectId,
  dtlsParameters: DtlsParameters,
});
export type TransportConnectPayload = z.infer<typeof TransportConnectPayload>;

export const ProducePayload = z
  .object({
    liveId: LiveIdField,
    transportId: MediaObjectId,
    kind: MediaKind,
    rtpParameters: RtpParameters,
  })
  // NOTE: mediasoup 3.8.4 itself accepts audio codecs on a video producer; refuse the mix here.
  .refine((p) => p.rtpParameters.codecs.every((c) => c.mimeType.toLowerCase().startsWith(`${p.kind}/`)), {
    message: 'every codec must be of the producer kind',
    path: ['rtpParameters', 'codecs'],
  });
export type ProducePayload = z.infer<typeof ProducePayload>;

export const ConsumePayload = z.object({
  liveId: LiveIdField,
  transportId: MediaObjectId,
  producerId: MediaObjectId,
  rtpCapabilities: RtpCapabilities,
});
export type ConsumePayload = z.infer<typeof ConsumePayload>;

export const ConsumerRefPayload = z.object({ liveId: LiveIdField, consumerId: MediaObjectId });
export type ConsumerRefPayload = z.infer<typeof ConsumerRefPayload>;

/** Simulcast: spatial layer 0 (lowest) … 3; temporal layer 0 … 3 (omitted: the highest available). */
export const ConsumerLayersPayload = z.object({
  liveId: LiveIdField,
  consumerId: MediaObjectId,
  spatialLayer: z.number().int().min(0).max(3),
  temporalLayer: z.number().int().min(0).max(3).optional(),
});
export type ConsumerLayersPayload = z.infer<typeof ConsumerLayersPayload>;

export const IceRestartPayload = z.object({ liveId: LiveIdField, transportId: MediaObjectId });
export type IceRestartPayload = z.infer<typeof IceRestartPayload>;

// ---- Results and facts (server → client). Produced by mediasoup, so typed loosely where the client only relays them. ----

export interface ProducerInfo {
  id: string;
  kind: MediaKind;
}

export interface SfuCapabilities {
  /** What the client loads its mediasoup-client Device with. */
  routerRtpCapabilities: Record<string, unknown>;
  /** Producers the client can consume right now (later ones arrive as `sfu:producer:new`). */
  producers: ProducerInfo[];
}

export interface TransportInfo {
  id: string;
  iceParameters: Record<string, unknown>;
  iceCandidates: Record<string, unknown>[];
  dtlsParameters: Record<string, unknown>;
}

export interface ConsumerInfo {
  id: string;
  producerId: string;
  kind: MediaKind;
  rtpParameters: Record<string, unknown>;
  type: string;
  producerPaused: boolean;
}

/** What the server sent on one of the caller's consumers (mediasoup's outbound RTP stats). */
export interface ConsumerStatsInfo {
  packetsSent: number;
  bytesSent: number;
  /** Current send bitrate, bits/s. */
  bitrate: number;
  /** Packets the receiver reported lost (RTCP). */
  packetsLost: number;
  /** Packets its producer (on this router) had received, read at the same moment: the worker's own denominator. */
  sourcePackets: number;
  /** The worker's view of the consumer's transport (it sends only once both are connected/completed). */
  iceState: string;
  dtlsState: string;
}

/** Why the client must re-establish media: its room was rebuilt (worker died) or its transport's router closed. */
export const SfuReconnectReason = z.enum(['worker-died', 'transport-closed']);
export type SfuReconnectReason = z.infer<typeof SfuReconnectReason>;
