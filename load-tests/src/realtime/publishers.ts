/**
 * Who publishes in the fan-out scenario, and how the viewer recognises a published message in the room log:
 * viewers' comments (`comment:send` → `comment:new`) or the host's announcements (`live:announce`). A new room
 * message type is one more entry here — the scenario, swarm and verdicts don't change.
 *
 * The payload is plain text of exactly `--payload` characters: `lt1 <run> <n> <sentAtMs> xxxx…`; the sender's
 * timestamp in it gives the publish→receive latency (sender and viewers share the generator's clock).
 */
import { COMMENT_EVENT, COMMENT_MAX_CHARS_DEFAULT } from '@lc/contracts/comment.schema';
import type { RoomEvent } from '@lc/contracts/room.schema';
import { ROOM_EVENT } from '@lc/contracts/room.schema';

export interface Publisher {
  name: string;
  summary: string;
  /** Who sends: the live's host, or the joined viewers taking turns (message n from viewer n mod N). */
  as: 'host' | 'viewers';
  /** The longest text the command accepts. */
  maxPayload: number;
  /** The command and payload for one message. */
  command(liveId: string, text: string): { event: string; payload: unknown };
  /** The message text when `ev` is one of this publisher's messages. */
  extract(ev: RoomEvent): string | undefined;
}

export interface PendingPublisher {
  name: string;
  summary: string;
  needsIssue: number;
}

const comment: Publisher = {
  name: 'comment',
  summary:
    "viewers' comment:send, taking turns (≤ 200 characters by default; each viewer may send 5 per 10 s, so offer at most viewers ÷ 2 per second)",
  as: 'viewers',
  maxPayload: COMMENT_MAX_CHARS_DEFAULT,
  command: (liveId, text) => ({ event: 'comment:send', payload: { liveId, text } }),
  extract: (ev) => (ev.type === COMMENT_EVENT.new ? (ev.data as { text?: string } | null)?.text : undefined),
};

const announce: Publisher = {
  name: 'announce',
  summary: "the host's live:announce (a room announcement, ≤ 500 characters)",
  as: 'host',
  maxPayload: 500,
  command: (liveId, text) => ({ event: 'live:announce', payload: { liveId, text } }),
  extract: (ev) =>
    ev.type === ROOM_EVENT.announcement ? (ev.data as { text?: string } | null)?.text : undefined,
};

export const PUBLISHERS: Record<string, Publisher> = { comment, announce };

/** Room message types whose feature has not landed yet (none today). */
export const PENDING_PUBLISHERS: PendingPublisher[] = [];

/** Shortest payload that still holds the header. */
export const MIN_PAYLOAD = 48;

export function encodePayload(run: string, n: number, sentAtMs: number, size: number): string {
  const head = `lt1 ${run} ${n} ${sentAtMs.toFixed(3)} `;
  return head.length >= size ? head.trimEnd() : head + 'x'.repeat(size - head.length);
}

/** `{ n, sentAtMs }` when `text` is a payload of run `run`. */
export function decodePayload(run: string, text: string): { n: number; sentAtMs: number } | undefined {
  if (!text.startsWith('lt1 ')) return undefined;
  const [, r, n, at] = text.split(' ', 4);
  if (r !== run) return undefined;
  return { n: Number(n), sentAtMs: Number(at) };
}
