/**
 * Client-side ordering of a room's events (used by the web client and the load-test swarm): applies each seq
 * once and in order, drops what it already has, and reports a gap so the client can rejoin with `lastSeq`.
 */
import type { RoomEvent } from './room.schema';

export class SeqTracker {
  constructor(public seq = 0) {}

  /** Returns the events to apply (new, in order) and whether a gap was seen (then rejoin with `lastSeq`). */
  accept(events: readonly RoomEvent[]): { fresh: RoomEvent[]; gap: boolean } {
    const fresh: RoomEvent[] = [];
    for (const e of events) {
      if (e.seq <= this.seq) continue;
      if (e.seq !== this.seq + 1) return { fresh, gap: true };
      fresh.push(e);
      this.seq = e.seq;
    }
    return { fresh, gap: false };
  }

  reset(seq: number): void {
    this.seq = seq;
  }
}
