/**
 * Numbers for load results: a log-bucketed latency histogram (≤ 2% quantile error, constant memory whatever the
 * sample count), medians and ratios. Values are milliseconds.
 */

const MIN_MS = 0.01;
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
/** Buckets up to ~ 0.01 ms × 1.02^1000 ≈ 4e6 ms; larger values land in the last bucket. */
const BUCKETS = 1000;

export interface HistogramSummary {
  count: number;
  min: number | null;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  private sum = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = Number.NEGATIVE_INFINITY;

  record(ms: number): void {
    const v = Math.max(ms, 0);
    const i = v <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(v / MIN_MS) / LOG_GROWTH));
    this.counts[i]! += 1;
    this.count++;
    this.sum += v;
    if (v < this.lo) this.lo = v;
    if (v > this.hi) this.hi = v;
  }

  merge(other: LatencyHistogram): this {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
    this.sum += other.sum;
    this.lo = Math.min(this.lo, other.lo);
    this.hi = Math.max(this.hi, other.hi);
    return this;
  }

  /** Upper bound of the bucket holding the q-quantile, clamped to the exact min/max. */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.hi, Math.max(this.lo, upper(i)));
    }
    return this.hi;
  }

  summary(): HistogramSummary {
    const empty = this.count === 0;
    return {
      count: this.count,
      min: empty ? null : round(this.lo),
      mean: empty ? null : round(this.sum / this.count),
      p50: roundOrNull(this.quantile(0.5)),
      p90: roundOrNull(this.quantile(0.9)),
      p99: roundOrNull(this.quantile(0.99)),
      p999: roundOrNull(this.quantile(0.999)),
      max: empty ? null : round(this.hi),
    };
  }

  /** Non-empty buckets as [upper bound ms, count], for charts. */
  buckets(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i]! > 0) out.push([round(upper(i)), this.counts[i]!]);
    return out;
  }
}

const upper = (i: number) => MIN_MS * GROWTH ** i;

export const round = (x: number, digits = 3): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
const roundOrNull = (x: number | null) => (x === null ? null : round(x));

export function median(xs: readonly number[]): number | null {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

export function ratio(a: number | null, b: number | null): number | null {
  if (a === null || b === null || b === 0) return null;
  return round(a / b, 3);
}

/** Wall clock in ms with sub-ms resolution, comparable across one process (publish and receive stamps). */
export const nowMs = (): number => performance.timeOrigin + performance.now();
