/**
 * The shape every scenario shares: its options (zod), the flat metrics thresholds can name, and `run()`, which
 * returns verdicts (correctness, always checked), metrics, the comparison with its baseline and chart data.
 * The runner (run.ts) adds machine notes, the timeline, thresholds and the JSON + HTML reports.
 */
import type { z } from 'zod';
import type { BaselineKind, Endpoint } from './lib/processes';
import type { Progress } from './lib/progress';
import type { Timeline, Usage } from './lib/resources';

export interface ScenarioContext {
  progress: Progress;
  timeline: Timeline;
  /** The server under test. */
  project: Endpoint;
  /** Starts a baseline server (pinned like the project server in CLI runs); the scenario stops it. */
  startBaseline(kind: BaselineKind, opts?: { dropEvery?: number }): Promise<Endpoint>;
  /** `--baseline-ref`: scenarios that support it run `startBaseline('ref')` as their baseline instead. */
  baselineRef?: string;
  /** CPU the server side is pinned to / the generator is pinned to, when pinned. */
  serverCpu?: number;
  clientCpu?: number;
  signal: AbortSignal;
}

export interface Verdict {
  name: string;
  pass: boolean;
  detail: string;
}

export type Side = 'project' | 'baseline';

export interface RoundRecord {
  side: Side;
  /** What ran, e.g. `project` or `baseline:plain-socketio`. */
  label: string;
  index: number;
  metrics: Record<string, number | null>;
  server: Usage;
  generator: Usage;
  /** Machine-wide CPU during the round and the part other processes used (% of one core). */
  machine?: { busyPct: number | null; otherPct: number | null };
  verdicts: Verdict[];
  notes?: string[];
}

/** Medians of one metric over the A B A B rounds, and project ÷ baseline. */
export interface Comparison {
  metric: string;
  baseline: string;
  higherIsBetter: boolean;
  project: number[];
  baselineValues: number[];
  projectMedian: number | null;
  baselineMedian: number | null;
  ratio: number | null;
}

export interface ChartSeries {
  name: string;
  points: [number, number][];
}

export interface ScenarioResult {
  verdicts: Verdict[];
  metrics: Record<string, number | null>;
  comparisons: Comparison[];
  rounds: RoundRecord[];
  charts: {
    /** Latency distributions: [bucket upper bound ms, count]. */
    latency?: { title: string; series: ChartSeries[] };
    /** Throughput over time on the timeline's clock. */
    throughput?: { title: string; unit: string; series: ChartSeries[] };
  };
  notes: string[];
  /** Anything else worth keeping in the JSON (per-scenario details). */
  details?: Record<string, unknown>;
}

export interface ScenarioDef<S extends z.ZodObject = z.ZodObject> {
  name: string;
  /** One line for `list`. */
  summary: string;
  /** Headline metric number(s) in the benchmark protocol. */
  benchmark?: string;
  options: S;
  /** `--kebab-name` help for each option (keys are the schema's camelCase keys). */
  help: { [K in keyof z.infer<S>]: string };
  /** Metric names thresholds may use. */
  metrics: readonly string[];
  /** False when the scenario starts what it measures itself (no project server needed; pinned by default). */
  needsServer?: boolean;
  /**
   * Environment a `--spawn`ed server needs for this scenario (e.g. media on); `--server-env` overrides it. A
   * function runs before the spawn (e.g. to pick a port the scenario then listens on).
   */
  spawnEnv?: Record<string, string> | ((opts: z.infer<S>) => Promise<Record<string, string>>);
  run(ctx: ScenarioContext, opts: z.infer<S>): Promise<ScenarioResult>;
}

export interface PendingScenario {
  name: string;
  summary: string;
  benchmark?: string;
  needsIssue: number;
  /** The feature has landed; what is missing is the kit's scenario for it (the next step of issue 8). */
  featureLanded?: boolean;
}

/** Why a pending scenario cannot run, for `list` and for the refusal. */
export const pendingReason = (p: PendingScenario): string =>
  p.featureLanded
    ? `not available yet: issue ${p.needsIssue}'s feature has landed, the kit's scenario for it is still to be written`
    : `not available yet (needs issue ${p.needsIssue})`;

export const defineScenario = <S extends z.ZodObject>(def: ScenarioDef<S>): ScenarioDef<S> => def;
