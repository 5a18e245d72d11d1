/**
 * Thresholds (`--threshold p99<250`): parsed with zod, checked against a scenario's flat metrics. A failed
 * threshold, or a metric the run could not measure, fails the run (exit code 1).
 */
import { z } from 'zod';

const OPS = ['<=', '>=', '==', '<', '>'] as const;
type Op = (typeof OPS)[number];

export const Threshold = z
  .string()
  .trim()
  .regex(
    /^[a-z][a-z0-9_]*\s*(<=|>=|==|<|>)\s*-?\d+(\.\d+)?$/,
    'must look like <metric><op><number>, e.g. p99<250 or delivered_per_s>=1000 (ops: < <= > >= ==)',
  )
  .transform((s) => {
    const m = /^([a-z][a-z0-9_]*)\s*(<=|>=|==|<|>)\s*(-?\d+(?:\.\d+)?)$/.exec(s)!;
    return { expr: s.replace(/\s+/g, ''), metric: m[1]!, op: m[2] as Op, value: Number(m[3]) };
  });
export type Threshold = z.infer<typeof Threshold>;

export interface ThresholdResult extends Threshold {
  actual: number | null;
  pass: boolean;
}

/** A schema that also checks the metric exists in the scenario (so a typo is a usage error, not a silent pass). */
export function thresholdFor(metrics: readonly string[]) {
  return Threshold.superRefine((t, ctx) => {
    if (!metrics.includes(t.metric)) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown metric "${t.metric}" for this scenario; known: ${metrics.join(', ')}`,
      });
    }
  });
}

export function checkThresholds(
  thresholds: readonly Threshold[],
  metrics: Record<string, number | null>,
): ThresholdResult[] {
  return thresholds.map((t) => {
    const actual = metrics[t.metric] ?? null;
    return { ...t, actual, pass: actual !== null && compare(actual, t.op, t.value) };
  });
}

function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
  }
}
