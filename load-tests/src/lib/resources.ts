/**
 * Server CPU and memory, read the way the benchmark protocol asks: from `/proc/<pid>` when we know the pid
 * (spawned servers and baselines, or `--server-pid`), otherwise from the server's Prometheus `/metrics`
 * (`process_cpu_seconds_total`, `process_resident_memory_bytes`). The timeline samples every source once a
 * second for the report's CPU and RSS charts; rounds read exact CPU-seconds at their boundaries.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface Reading {
  /** User + system CPU seconds since the process started. */
  cpuSeconds: number;
  rssBytes: number;
}

export type ResourceSource =
  | { kind: 'proc'; pid: number }
  | { kind: 'metrics'; url: string }
  | { kind: 'self' }
  /** Every process on the machine: busy CPU of all cores (no RSS). */
  | { kind: 'system' }
  | { kind: 'none' };

const sysconf = (name: string, fallback: number): number => {
  try {
    return Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim()) || fallback;
  } catch {
    return fallback;
  }
};
let clk: { ticks: number; page: number } | undefined;
const clock = () => {
  clk ??= { ticks: sysconf('CLK_TCK', 100), page: sysconf('PAGESIZE', 4096) };
  return clk;
};

export function readProc(pid: number): Reading | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // NOTE: the command name (field 2) may hold spaces and parentheses; fields are counted after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const { ticks, page } = clock();
    const cpuSeconds = (Number(rest[11]) + Number(rest[12])) / ticks;
    const rssPages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return { cpuSeconds, rssBytes: rssPages * page };
  } catch {
    return undefined;
  }
}

/** Peak RSS of a live process over its lifetime (VmHWM), bytes. */
export function readPeakRss(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export async function readMetrics(baseUrl: string): Promise<(Reading & Partial<LoopLag>) | undefined> {
  try {
    const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) return undefined;
    const text = await res.text();
    const value = (name: string) => {
      const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+-]+)$`, 'm').exec(text);
      return m ? Number(m[1]) : undefined;
    };
    const cpu = value('process_cpu_seconds_total');
    const rss = value('process_resident_memory_bytes');
    if (cpu === undefined || rss === undefined) return undefined;
    const p99 = value('nodejs_eventloop_lag_p99_seconds');
    const max = value('nodejs_eventloop_lag_max_seconds');
    return {
      cpuSeconds: cpu,
      rssBytes: rss,
      ...(p99 !== undefined && max !== undefined ? { p99Ms: p99 * 1000, maxMs: max * 1000 } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Event-loop delay, ms. */
export interface LoopLag {
  p99Ms: number;
  maxMs: number;
}

export async function read(source: ResourceSource): Promise<Reading | undefined> {
  switch (source.kind) {
    case 'proc':
      return readProc(source.pid);
    case 'metrics':
      return readMetrics(source.url);
    case 'self': {
      const u = process.cpuUsage();
      return { cpuSeconds: (u.user + u.system) / 1e6, rssBytes: process.memoryUsage.rss() };
    }
    case 'system': {
      const s = readSystemCpu();
      return s ? { cpuSeconds: s.busy / clock().ticks, rssBytes: Number.NaN } : undefined;
    }
    case 'none':
      return undefined;
  }
}

export const describeSource = (s: ResourceSource): string =>
  s.kind === 'proc'
    ? `/proc/${s.pid}`
    : s.kind === 'metrics'
      ? `${s.url}/metrics (process_cpu_seconds_total, process_resident_memory_bytes)`
      : s.kind === 'self'
        ? 'process.cpuUsage() of the generator'
        : s.kind === 'system'
          ? '/proc/stat (all processes)'
          : 'not measured';

/** CPU-seconds, peak RSS and event-loop delay of one process over a window. */
export interface Usage {
  cpuSeconds: number | null;
  /** Average share of one core over the window, percent. */
  cpuPercent: number | null;
  peakRssBytes: number | null;
  /**
   * Event-loop delay over the window: this process via monitorEventLoopDelay; a server via its /metrics
   * (prom-client resets its histogram at each scrape, so this is the worst p99 of the ~0.5 s sampling intervals).
   */
  loopLag?: LoopLag | null;
}

export const NO_USAGE: Usage = { cpuSeconds: null, cpuPercent: null, peakRssBytes: null };

/**
 * Measures one process over a window: exact CPU reads at start and stop, RSS sampled in between for the peak.
 * `metricsUrl`: also follow the event-loop delay a server reports in /metrics.
 */
export async function measure(source: ResourceSource, opts: { metricsUrl?: string } = {}) {
  const t0 = performance.now();
  const first = await read(source);
  let peak = first?.rssBytes ?? 0;
  let lag: LoopLag | null = null;
  const elu = source.kind === 'self' ? monitorEventLoopDelay({ resolution: 10 }) : undefined;
  elu?.enable();
  if (opts.metricsUrl) await readMetrics(opts.metricsUrl); // resets the server's delay histogram
  const timer = setInterval(async () => {
    const r = await read(source);
    if (r && r.rssBytes > peak) peak = r.rssBytes;
    const m = opts.metricsUrl ? await readMetrics(opts.metricsUrl) : undefined;
    if (m?.p99Ms !== undefined && m.maxMs !== undefined) {
      lag = { p99Ms: Math.max(lag?.p99Ms ?? 0, m.p99Ms), maxMs: Math.max(lag?.maxMs ?? 0, m.maxMs) };
    }
  }, 500);
  timer.unref();
  return {
    async stop(): Promise<Usage> {
      clearInterval(timer);
      const last = await read(source);
      if (elu) {
        elu.disable();
        lag = { p99Ms: elu.percentile(99) / 1e6, maxMs: elu.max / 1e6 };
      }
      const loopLag =
        lag === null
          ? null
          : { p99Ms: Math.round(lag.p99Ms * 10) / 10, maxMs: Math.round(lag.maxMs * 10) / 10 };
      if (!first || !last) return { ...NO_USAGE, loopLag };
      const secs = (performance.now() - t0) / 1000;
      const cpu = last.cpuSeconds - first.cpuSeconds;
      return {
        cpuSeconds: Math.round(cpu * 100) / 100,
        cpuPercent: secs > 0 ? Math.round((cpu / secs) * 1000) / 10 : null,
        peakRssBytes: Math.max(peak, last.rssBytes),
        loopLag,
      };
    },
  };
}

export interface Sample {
  /** Seconds since the run started. */
  t: number;
  cpuPercent: number | null;
  rssMB: number;
}

export interface Band {
  label: string;
  side: 'project' | 'baseline' | 'other';
  from: number;
  to: number;
}

/**
 * Once-a-second samples of every tracked process over the whole run, plus the rounds as bands, for the report.
 * `t` is seconds since the timeline started, shared by every chart.
 */
export class Timeline {
  readonly series = new Map<string, Sample[]>();
  readonly bands: Band[] = [];
  private readonly started = performance.now();
  private readonly timers = new Set<NodeJS.Timeout>();

  now(): number {
    return Math.round((performance.now() - this.started) / 10) / 100;
  }

  /** Samples `source` under `label` until the returned function is called. */
  track(label: string, source: ResourceSource, intervalMs = 1000): () => void {
    if (source.kind === 'none') return () => {};
    const samples = this.series.get(label) ?? [];
    this.series.set(label, samples);
    let prev: { t: number; cpu: number } | undefined;
    let busy = false;
    const tick = async () => {
      if (busy) return;
      busy = true;
      try {
        const r = await read(source);
        if (!r) return;
        const t = this.now();
        const cpuPercent = prev && t > prev.t ? ((r.cpuSeconds - prev.cpu) / (t - prev.t)) * 100 : null;
        prev = { t, cpu: r.cpuSeconds };
        samples.push({
          t,
          cpuPercent: cpuPercent === null ? null : Math.round(cpuPercent * 10) / 10,
          rssMB: Math.round(r.rssBytes / 1e5) / 10,
        });
      } finally {
        busy = false;
      }
    };
    void tick();
    const timer = setInterval(tick, intervalMs);
    timer.unref();
    this.timers.add(timer);
    return () => {
      clearInterval(timer);
      this.timers.delete(timer);
    };
  }

  /** Marks a round; call the returned function when it ends. */
  band(label: string, side: Band['side']): () => void {
    const b: Band = { label, side, from: this.now(), to: this.now() };
    this.bands.push(b);
    return () => {
      b.to = this.now();
    };
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.clear();
  }

  toJSON() {
    return { series: Object.fromEntries(this.series), bands: this.bands };
  }
}

/** Busy and total jiffies of all CPUs (/proc/stat), for the machine-wide CPU share over a window. */
function readSystemCpu(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** Machine-wide CPU over a window, in % of one core (0 … 100 × CPUs). */
export function measureSystem(cpuCount: number) {
  const first = readSystemCpu();
  return {
    stop(): number | null {
      const last = readSystemCpu();
      if (!first || !last || last.total === first.total) return null;
      return Math.round(((last.busy - first.busy) / (last.total - first.total)) * cpuCount * 1000) / 10;
    },
  };
}
