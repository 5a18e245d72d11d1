/**
 * The no-gap verdict: each viewer applies room events through the shared `SeqTracker` (as the web client does)
 * and must end having applied every seq after its join point exactly once, up to the room's final seq.
 * Events at or below the join point are the snapshot's (the socket joins before the log is read), not duplicates.
 */
import type { RoomEvent } from '@lc/contracts/room.schema';
import { SeqTracker } from '@lc/contracts/seq-tracker';

export class GapChecker {
  private readonly tracker: SeqTracker;
  /** Events received after the join point (duplicates included). */
  received = 0;
  /** Events applied: each seq once, in order. */
  applied = 0;

  constructor(readonly startSeq: number) {
    this.tracker = new SeqTracker(startSeq);
  }

  /** Returns the events to apply now (in order). */
  accept(events: readonly RoomEvent[]): RoomEvent[] {
    for (const e of events) if (e.seq > this.startSeq) this.received++;
    const { fresh } = this.tracker.accept(events);
    this.applied += fresh.length;
    return fresh;
  }

  get seq(): number {
    return this.tracker.seq;
  }

  verdict(finalSeq: number): ViewerVerdict {
    const waiting = this.tracker.waiting;
    const missing = Math.max(0, finalSeq - this.tracker.seq);
    const duplicates = Math.max(0, this.received - this.applied - waiting);
    return { missing, duplicates, waiting, ok: missing === 0 && duplicates === 0 && waiting === 0 };
  }
}

export interface ViewerVerdict {
  /** Seqs up to the final one this viewer never applied. */
  missing: number;
  /** Events received more than once. */
  duplicates: number;
  /** Events still held behind a gap. */
  waiting: number;
  ok: boolean;
}

export interface SwarmVerdict {
  viewers: number;
  viewersWithGaps: number;
  missing: number;
  duplicates: number;
  ok: boolean;
  /** One line for the report, e.g. `2000 viewers × seq 1..1500: every seq exactly once`. */
  detail: string;
}

export function swarmVerdict(checkers: readonly GapChecker[], finalSeq: number): SwarmVerdict {
  let bad = 0;
  let missing = 0;
  let duplicates = 0;
  for (const c of checkers) {
    const v = c.verdict(finalSeq);
    if (!v.ok) bad++;
    missing += v.missing;
    duplicates += v.duplicates;
  }
  const ok = bad === 0 && checkers.length > 0;
  const from = checkers.length ? Math.min(...checkers.map((c) => c.startSeq)) + 1 : 0;
  const detail =
    checkers.length === 0
      ? 'no viewer joined'
      : ok
        ? `${checkers.length} viewers × seq ${from}..${finalSeq}: every seq exactly once`
        : `${bad} of ${checkers.length} viewers saw a gap or a duplicate: ${missing} seqs missing, ${duplicates} duplicates (final seq ${finalSeq})`;
  return { viewers: checkers.length, viewersWithGaps: bad, missing, duplicates, ok, detail };
}
