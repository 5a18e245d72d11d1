/**
 * Runs one scenario end to end: pins the generator, gets the server (an existing URL or `--spawn`), tracks CPU and
 * RSS on a timeline, runs the scenario, checks thresholds and assembles the report. Used by the CLI and by the
 * smoke test (which passes an in-process server and in-process baselines).
 */
import { cpus, loadavg, release } from 'node:os';
import { startHelloHttp } from './baselines/hello-http';
import { startPlainSocketIo } from './baselines/plain-socketio';
import {
  type BaselineKind,
  type Endpoint,
  pinPid,
  spawnBaseline,
  spawnProjectServer,
  tasksetAvailable,
} from './lib/processes';
import { type Progress, silentProgress } from './lib/progress';
import { assertReady } from './lib/project-api';
import { checkoutRef } from './lib/ref-checkout';
import { describeSource, type ResourceSource, Timeline } from './lib/resources';
import { checkThresholds, type Threshold, type ThresholdResult } from './lib/thresholds';
import type { ScenarioContext, ScenarioDef, ScenarioResult } from './scenario';

export type TargetSpec =
  | { kind: 'url'; url: string; serverPid?: number }
  | { kind: 'spawn'; env?: Record<string, string>; nodeFlags?: string[] }
  | { kind: 'endpoint'; endpoint: Endpoint };

export interface RunInput<O> {
  def: ScenarioDef;
  options: O;
  target: TargetSpec;
  /** CPU for the server side (spawned server, its Redis, baselines) and for this generator process. */
  serverCpu?: number;
  clientCpu?: number;
  thresholds?: Threshold[];
  /** `spawn`: baselines in their own pinned processes (CLI); `in-process`: inside this process (tests). */
  baselines?: 'spawn' | 'in-process';
  progress?: Progress;
  signal?: AbortSignal;
  /** The command line that reproduces this run. */
  command?: string;
  /** `--baseline-ref`: the project at this git ref is the `ref` baseline. */
  baselineRef?: string;
}

export interface RunReport extends ScenarioResult {
  scenario: string;
  summary: string;
  benchmark: string | null;
  pass: boolean;
  startedAt: string;
  finishedAt: string;
  command: string;
  machine: {
    node: string;
    platform: string;
    kernel: string;
    cpus: number;
    cpuModel: string;
    /** 1/5/15-minute load averages when the run started and ended (other work on a shared machine shows here). */
    loadAverage: { start: number[]; end: number[] };
  };
  pinning: { server: number | null; generator: number | null; note: string };
  target: { url: string; spawned: boolean; resources: string };
  options: unknown;
  thresholds: ThresholdResult[];
  timeline: ReturnType<Timeline['toJSON']>;
}

async function inProcessBaseline(kind: BaselineKind, opts: { dropEvery?: number }): Promise<Endpoint> {
  if (kind === 'ref') throw new Error('a --baseline-ref server is always spawned');
  const s = kind === 'hello' ? await startHelloHttp() : await startPlainSocketIo(opts);
  return { label: `baseline:${kind}`, url: s.url, resources: { kind: 'none' }, stop: () => s.close() };
}

/** The project at `ref`, spawned like `--spawn` (its own Redis, same pinning and env). */
async function startRef(ref: string | undefined, cpu: number | undefined, env: Record<string, string>) {
  if (!ref) throw new Error('no --baseline-ref given');
  const { dir, commit } = checkoutRef(ref);
  return spawnProjectServer({ cpu, env, root: dir, label: `baseline:${ref} (${commit.slice(0, 7)})` });
}

export async function runScenario<O>(input: RunInput<O>): Promise<RunReport> {
  const progress = input.progress ?? silentProgress;
  const signal = input.signal ?? new AbortController().signal;
  const startedAt = new Date();
  const pinOk = tasksetAvailable();
  const serverCpu = pinOk ? input.serverCpu : undefined;
  const clientCpu = pinOk ? input.clientCpu : undefined;
  if (!pinOk && (input.serverCpu !== undefined || input.clientCpu !== undefined)) {
    progress.log('note: taskset is not available, nothing is pinned');
  }
  if (clientCpu !== undefined) pinPid(process.pid, clientCpu);

  let project: Endpoint;
  let ownsProject = false;
  /** What the spawned project server got beyond the defaults; a `--baseline-ref` server gets the same. */
  let serverEnv: Record<string, string> = {};
  if (input.def.needsServer === false) {
    project = { label: 'none', url: '', resources: { kind: 'none' }, stop: async () => {} };
  } else if (input.target.kind === 'spawn') {
    progress.update('starting a private redis-server and the project server (--spawn)');
    const spawnEnv = input.def.spawnEnv;
    const scenarioEnv = typeof spawnEnv === 'function' ? await spawnEnv(input.options as never) : spawnEnv;
    serverEnv = { ...scenarioEnv, ...input.target.env };
    project = await spawnProjectServer({
      cpu: serverCpu,
      env: serverEnv,
      nodeFlags: input.target.nodeFlags,
    });
    ownsProject = true;
    progress.log(
      `spawned project server ${project.url} (pid ${project.pid}${serverCpu !== undefined ? `, CPU ${serverCpu}` : ''})`,
    );
  } else if (input.target.kind === 'url') {
    await assertReady(input.target.url);
    const resources: ResourceSource = input.target.serverPid
      ? { kind: 'proc', pid: input.target.serverPid }
      : { kind: 'metrics', url: input.target.url };
    project = {
      label: 'project',
      url: input.target.url,
      resources,
      metricsUrl: input.target.url,
      stop: async () => {},
    };
  } else {
    project = input.target.endpoint;
  }

  const timeline = new Timeline();
  const untrack = [
    timeline.track('project server', project.resources),
    ...(project.companions ?? []).map((c) => timeline.track(c.label, { kind: 'proc', pid: c.pid })),
    timeline.track('generator', { kind: 'self' }),
    timeline.track('machine (all processes)', { kind: 'system' }),
  ];
  const load = () => loadavg().map((x) => Math.round(x * 100) / 100);
  const loadAtStart = load();
  const ctx: ScenarioContext = {
    progress,
    timeline,
    project,
    serverCpu,
    clientCpu,
    signal,
    baselineRef: input.baselineRef,
    async startBaseline(kind, opts = {}) {
      const ep =
        kind === 'ref'
          ? await startRef(input.baselineRef, serverCpu, serverEnv)
          : input.baselines === 'in-process'
            ? await inProcessBaseline(kind, opts)
            : await spawnBaseline(kind, { cpu: serverCpu, dropEvery: opts.dropEvery });
      const stopTrack = timeline.track(ep.label, ep.resources);
      return {
        ...ep,
        stop: async () => {
          stopTrack();
          await ep.stop();
        },
      };
    },
  };

  let result: ScenarioResult;
  try {
    result = await input.def.run(ctx, input.options as never);
  } finally {
    for (const u of untrack) u();
    timeline.stop();
    progress.done();
    if (ownsProject) await project.stop();
  }
  const serverSide =
    input.def.needsServer === false
      ? 'the server the scenario starts'
      : input.target.kind === 'spawn'
        ? 'project server + its redis-server, baselines'
        : 'baselines; the project server at --url is not pinned by the kit';
  const thresholds = checkThresholds(input.thresholds ?? [], result.metrics);
  const pass = result.verdicts.every((v) => v.pass) && thresholds.every((t) => t.pass) && !signal.aborted;
  return {
    scenario: input.def.name,
    summary: input.def.summary,
    benchmark: input.def.benchmark ?? null,
    pass,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: input.command ?? `(programmatic run of ${input.def.name})`,
    machine: {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      kernel: release(),
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      loadAverage: { start: loadAtStart, end: load() },
    },
    pinning: {
      server: serverCpu ?? null,
      generator: clientCpu ?? null,
      note:
        serverCpu !== undefined || clientCpu !== undefined
          ? `taskset: server side (${serverSide}) on CPU ${serverCpu ?? 'unpinned'}, generator (this process and its tools) on CPU ${clientCpu ?? 'unpinned'}`
          : 'not pinned',
    },
    target: {
      url: project.url || 'none (the scenario starts what it measures)',
      spawned: input.target.kind === 'spawn' && input.def.needsServer !== false,
      resources: describeSource(project.resources),
    },
    options: input.options,
    thresholds,
    timeline: timeline.toJSON(),
    ...result,
  };
}
