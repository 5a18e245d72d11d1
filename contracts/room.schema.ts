import { z } from 'zod';
import { Role } from './ids';
import { Live } from './live.schema';
import { plainText } from './text';

/** One entry of a room's event log: every fact a room broadcasts carries the room's `seq`. */
export const RoomEvent = z.object({
  seq: z.number().int().positive(),
  type: z.string(),
  at: z.number().int(),
  data: z.unknown(),
});
export type RoomEvent<T = unknown> = { seq: number; type: string; at: number; data: T };

export const Presence = z.object({
  online: z.number().int().nonnegative(),
  unique: z.number().int().nonnegative(),
  peak: z.number().int().nonnegative(),
  joinsLastMinute: z.number().int().nonnegative(),
  leavesLastMinute: z.number().int().nonnegative(),
});
export type Presence = z.infer<typeof Presence>;

export const RoomSnapshot = z.object({
  live: Live,
  role: Role,
  seq: z.number().int().nonnegative(),
  serverTime: z.number().int(),
  presence: Presence,
  recent: z.array(RoomEvent),
  /** Per-feature state (sale, lottery, pinned product, …) contributed through the snapshot registry. */
  features: z.record(z.string(), z.unknown()),
});
export type RoomSnapshot = z.infer<typeof RoomSnapshot>;

export const JoinPayload = z.object({
  liveId: z.string().uuid(),
  /** Last seq the client applied; present on reconnect. */
  lastSeq: z.number().int().nonnegative().optional(),
  /** Share code from the link the viewer came through (`?ref=`); joins are attributed to the sharer. */
  ref: z.string().max(200).optional(),
});
export type JoinPayload = z.infer<typeof JoinPayload>;

/**
 * `replay`: exactly the events after `lastSeq` (the client keeps its state);
 * `snapshot`: fresh state — on first join, or when the gap is older than the log (`reason` says which).
 */
export type JoinResult =
  | { mode: 'snapshot'; reason: 'first-join' | 'gap-too-old' | 'ahead-of-log'; snapshot: RoomSnapshot }
  | { mode: 'replay'; seq: number; events: RoomEvent[]; presence: Presence; role: Role };

export const LiveRef = z.object({ liveId: z.string().uuid() });
export type LiveRef = z.infer<typeof LiveRef>;

export const AnnouncePayload = z.object({
  liveId: z.string().uuid(),
  text: plainText(500),
});
export type AnnouncePayload = z.infer<typeof AnnouncePayload>;

/** Room event types owned by the foundation; features add their own `<feature>:<fact>` types. */
export const ROOM_EVENT = {
  liveStatus: 'live:status',
  announcement: 'live:announcement',
} as const;
