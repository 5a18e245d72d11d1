/**
 * Verdicts of `chaos api-node`: after one of two API nodes was SIGKILLed during a comment storm, its viewers are
 * back on the survivor, every viewer applied every room seq exactly once (resumed by `lastSeq`, no snapshot), every
 * acknowledged comment is in the room log once, and the online count returned to the truth in time. Pure, so a
 * test can feed it a broken run.
 */
import type { Verdict } from '../scenario';

export interface ApiNodeKillRun {
  /** Client connections open on the killed node at the kill. */
  onKilledNode: number;
  /** Clients (viewers and commenters) whose connection dropped, and those of them joined again afterwards. */
  dropped: number;
  rejoined: number;
  /** Rejoins answered with a snapshot (the log no longer held their `lastSeq`) instead of the missed events. */
  snapshotRejoins: number;
  /** Viewers judged (those that stayed), those missing a seq up to `finalSeq` or holding events behind a gap.
   * Events received twice (a live frame overlapping a rejoin's replay) are dropped by the seq tracker: not a fault. */
  viewers: number;
  viewersWithGaps: number;
  finalSeq: number;
  /** Viewers of the killed node that never came back. */
  leavers: number;
  /** Comments acknowledged `published`, and how many times each appeared in the observer's applied events. */
  acked: number;
  ackedMissing: number;
  ackedTwice: number;
  /** ms from the kill until the online count equalled the clients really connected; null: never. */
  presenceTruthMs: number | null;
  presenceBoundMs: number;
  lastPresence?: { online: number; truth: number };
}

export function apiNodeKillVerdicts(r: ApiNodeKillRun): Verdict[] {
  return [
    {
      name: 'the kill landed on a node holding viewers',
      pass: r.onKilledNode > 0 && r.dropped > 0,
      detail: `${r.onKilledNode} connections on the killed node, ${r.dropped} clients lost theirs`,
    },
    {
      name: 'every dropped client rejoined on the surviving node',
      pass: r.dropped > 0 && r.rejoined === r.dropped,
      detail: `${r.rejoined} of ${r.dropped} rejoined`,
    },
    {
      name: 'viewers resumed by seq: every seq applied exactly once, no snapshot',
      pass: r.viewers > 0 && r.viewersWithGaps === 0 && r.snapshotRejoins === 0,
      detail: `${r.viewersWithGaps} of ${r.viewers} viewers missing a seq up to ${r.finalSeq}; ${r.snapshotRejoins} rejoins answered with a snapshot`,
    },
    {
      name: 'every acknowledged comment is in the room log exactly once',
      pass: r.acked > 0 && r.ackedMissing === 0 && r.ackedTwice === 0,
      detail: `${r.acked} acknowledged: ${r.ackedMissing} missing, ${r.ackedTwice} more than once`,
    },
    {
      name: 'the online count returned to the truth in time',
      pass: r.presenceTruthMs !== null && r.presenceTruthMs <= r.presenceBoundMs,
      detail:
        r.presenceTruthMs === null
          ? `never (last: online ${r.lastPresence?.online ?? '—'} for ${r.lastPresence?.truth ?? '—'} connected)`
          : `${r.presenceTruthMs} ms after the kill, ${r.leavers} viewers of the dead node gone for good (bound ${r.presenceBoundMs} ms: NODE_DEAD_AFTER_MS + 2 heartbeats + one presence tick)`,
    },
  ];
}
