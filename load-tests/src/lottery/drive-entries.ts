/**
 * Sends one entry command per viewer — at `rate` per second, or as fast as `inflight` open calls allow when the
 * rate is 0 — and records each ack: which viewers the server accepted, the error codes of the others, ack
 * latency, and completions per second. Never throws on a failed call; the verdicts judge.
 */
import type { Ack } from '@lc/contracts/events';
import { LatencyHistogram, nowMs } from '../lib/stats';
import type { Viewer } from '../realtime/swarm';

export interface DriveResult {
  accepted: Set<number>;
  errors: Record<string, number>;
  latency: LatencyHistogram;
  /** First send to last ack. */
  seconds: number;
  /** Acks per second since the first send. */
  perSecond: number[];
}

export async function driveEntries(opts: {
  viewers: readonly Viewer[];
  send: (v: Viewer) => Promise<Ack<unknown>>;
  /** Entries per second offered (0: unpaced, bounded by `inflight`). */
  rate: number;
  inflight: number;
  signal: AbortSignal;
  onProgress?: (done: number, ok: number) => void;
}): Promise<DriveResult> {
  const { viewers } = opts;
  const accepted = new Set<number>();
  const errors: Record<string, number> = {};
  const latency = new LatencyHistogram();
  const perSecond: number[] = [];
  let sent = 0;
  let done = 0;
  let open = 0;
  let last = 0;
  const t0 = nowMs();
  await new Promise<void>((resolve) => {
    const finish = () => {
      done++;
      open--;
      last = nowMs();
      const sec = Math.floor((last - t0) / 1000);
      perSecond[sec] = (perSecond[sec] ?? 0) + 1;
      if (done === viewers.length || (opts.signal.aborted && open === 0)) resolve();
    };
    const pump = () => {
      const due =
        opts.rate > 0
          ? Math.min(viewers.length, Math.floor(((nowMs() - t0) * opts.rate) / 1000) + 1)
          : viewers.length;
      while (sent < due && open < opts.inflight && !opts.signal.aborted) {
        const v = viewers[sent++]!;
        open++;
        const at = nowMs();
        opts.send(v).then(
          (r) => {
            latency.record(nowMs() - at);
            if (r.ok) accepted.add(v.index);
            else errors[r.error.code] = (errors[r.error.code] ?? 0) + 1;
            finish();
            pump();
          },
          (err: Error) => {
            const k = err.message.replace(/\d+/g, 'N').slice(0, 80);
            errors[k] = (errors[k] ?? 0) + 1;
            finish();
            pump();
          },
        );
      }
      if (opts.signal.aborted && open === 0) resolve();
    };
    if (viewers.length === 0) return resolve();
    const timer = setInterval(() => {
      pump();
      opts.onProgress?.(done, accepted.size);
      if (done === viewers.length || (opts.signal.aborted && open === 0)) clearInterval(timer);
    }, 10);
    pump();
  });
  for (let s = 0; s < perSecond.length; s++) perSecond[s] ??= 0;
  return { accepted, errors, latency, seconds: Math.max(0, last - t0) / 1000, perSecond };
}
