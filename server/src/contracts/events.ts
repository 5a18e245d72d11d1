import type { ErrorBody } from './errors';
import type { Live } from './live.schema';
import type { AnnouncePayload, JoinPayload, JoinResult, LiveRef, Presence, RoomEvent } from './room.schema';

/** Every command is acknowledged with this envelope; a missing ack callback is tolerated. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };
export type AckFn<T> = (res: Ack<T>) => void;

/** Commands: client → server, each with an ack. */
export interface ClientToServerEvents {
  /** Join a live room; acks a snapshot, or exactly the missed events when `lastSeq` is recent enough. */
  'live:join': (payload: JoinPayload, ack?: AckFn<JoinResult>) => void;
  /** Leave a live room (also implied by disconnect). */
  'live:leave': (payload: LiveRef, ack?: AckFn<{ left: boolean }>) => void;
  /** Host: post an announcement to the room log. */
  'live:announce': (payload: AnnouncePayload, ack?: AckFn<{ seq: number }>) => void;
  /** Host: move the live from scheduled to live. */
  'live:start': (payload: LiveRef, ack?: AckFn<Live>) => void;
  /** Host: end the live (idempotent); enqueues end-of-live jobs. */
  'live:end': (payload: LiveRef, ack?: AckFn<Live>) => void;
}

/** Facts: server → client. Room events arrive in coalesced frames ordered by `seq`. */
export interface ServerToClientEvents {
  /** A frame of consecutive room events (ascending `seq`, no gaps within one node's stream tail). */
  'room:events': (frame: { liveId: string; events: RoomEvent[] }) => void;
  /** Presence counters, at a bounded rate (not part of the seq log). */
  'room:presence': (p: { liveId: string } & Presence) => void;
  /** The server removed this socket from the room (ended, kicked); `code` says why. */
  'room:closed': (p: { liveId: string; code: string }) => void;
}

export type ClientEventName = keyof ClientToServerEvents;
