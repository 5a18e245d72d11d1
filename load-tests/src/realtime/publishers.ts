/**
 * Who publishes in the fan-out scenario, and how the viewer recognises a published message in the room log.
 * Today the host's `live:announce` is the only room message the server has; `comment:send` slots in here when
 * the interaction feature lands (issue 4) — the scenario, swarm and verdicts don't change.
 *
 * The payload is plain text of exactly `--payload` characters: `lt1 <run> <n> <sentAtMs> xxxx…`; the sender's
 * timestamp in it gives the publish→receive latency (sender and viewers share the generator's clock).
 */
import type { RoomEvent } from '../../../server/src/contracts/room.schema';
import { ROOM_EVENT } from '../../../server/src/contracts/room.schema';

export interface Publisher {
  name: string;
  summary: string;
  /** Who sends: the live's host, or a viewer. */
  as: 'host' | 'viewer';
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

const announce: Publisher = {
  name: 'announce',
  summary: "the host's live:announce (a room announcement, ≤ 500 characters)",
  as: 'host',
  maxPayload: 500,
  command: (liveId, text) => ({ event: 'live:announce', payload: { liveId, text } }),
  extract: (ev) =>
    ev.type === ROOM_EVENT.announcement ? (ev.data as { text?: string } | null)?.text : undefined,
};

export const PUBLISHERS: Record<string, Publisher> = { announce };

export const PENDING_PUBLISHERS: PendingPublisher[] = [
  {
    name: 'comment',
    summary: 'viewers send comment:send; comments arrive as comment:* room events',
    needsIssue: 4,
  },
];

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
