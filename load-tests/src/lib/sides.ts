/** Per-side views of A B A B rounds: values, medians, sums, pooled latency and project ÷ baseline comparisons. */
import type { Comparison, RoundRecord, Side } from '../scenario';
import { LatencyHistogram, median, ratio } from './stats';

export function sides<R extends { record: RoundRecord; latency?: LatencyHistogram }>(
  rounds: R[],
  baselineName: string,
) {
  const of = (side: Side) => rounds.filter((r) => r.record.side === side);
  const values = (side: Side, k: string) =>
    of(side)
      .map((r) => r.record.metrics[k])
      .filter((v): v is number => typeof v === 'number');
  const med = (side: Side, k: string) => median(values(side, k));
  const sum = (side: Side, k: string) => values(side, k).reduce((a, b) => a + b, 0);
  const pooled = (side: Side) =>
    of(side).reduce((h, r) => (r.latency ? h.merge(r.latency) : h), new LatencyHistogram());
  const compare = (metric: string, higherIsBetter = true): Comparison => ({
    metric,
    baseline: baselineName,
    higherIsBetter,
    project: values('project', metric),
    baselineValues: values('baseline', metric),
    projectMedian: med('project', metric),
    baselineMedian: med('baseline', metric),
    ratio: ratio(med('project', metric), med('baseline', metric)),
  });
  return { of, values, med, sum, pooled, compare };
}
