/**
 * Client-side ordering of a room's events (used by the web client and the load-test swarm): applies each seq
 * once and in order, drops what it already has, and holds events that arrive ahead of a gap until the gap is
 * filled (e.g. live frames that overtake a rejoin's replay). A gap that persists means: rejoin with `lastSeq`.
 */
import type { RoomEvent } from './room.schema';

export class SeqTracker {
  private readonly ahead = new Map<number, RoomEvent>();

  constructor(
    public seq = 0,
    private readonly maxAhead = 10_000,
  ) {}

  /** Returns the events to apply now (in order) and whether events are waiting behind a gap. */
  accept(events: readonly RoomEvent[]): { fresh: RoomEvent[]; gap: boolean } {
    for (const e of events) {
      if (e.seq > this.seq && this.ahead.size < this.maxAhead) this.ahead.set(e.seq, e);
    }
    const fresh: RoomEvent[] = [];
    for (let next = this.ahead.get(this.seq + 1); next; next = this.ahead.get(this.seq + 1)) {
      this.ahead.delete(next.seq);
      fresh.push(next);
      this.seq = next.seq;
    }
    for (const s of this.ahead.keys()) if (s <= this.seq) this.ahead.delete(s);
    return { fresh, gap: this.ahead.size > 0 };
  }

  /** Events held behind a gap. */
  get waiting(): number {
    return this.ahead.size;
  }

  /** After a fresh snapshot: start over at its seq, keeping held events that are still newer. */
  reset(seq: number): void {
    this.seq = seq;
    for (const s of this.ahead.keys()) if (s <= seq) this.ahead.delete(s);
  }
}
