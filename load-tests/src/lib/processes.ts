/**
 * Processes the kit starts and pins: the project server for `--spawn` (a private redis-server plus
 * `node --import tsx server/src/main.ts`), baseline servers, and the generator itself. Pinning uses `taskset`:
 * server side on one core, generator on the other, so neither steals the other's CPU. Every child is stopped when
 * the run ends, fails or is interrupted.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort, startLocalRedis } from '../../../server/src/testkit';
import type { ResourceSource } from './resources';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let tasksetOk: boolean | undefined;
export function tasksetAvailable(): boolean {
  if (tasksetOk === undefined) {
    try {
      execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
      tasksetOk = true;
    } catch {
      tasksetOk = false;
    }
  }
  return tasksetOk;
}

/** Pins every thread of a running process (and the threads it creates later) to one CPU. */
export function pinPid(pid: number, cpu: number): void {
  execFileSync('taskset', ['-a', '-pc', String(cpu), String(pid)], { stdio: 'ignore' });
}

export const cpuCount = (): number => cpus().length;

/** What a started server looks like to scenarios. */
export interface Endpoint {
  label: string;
  url: string;
  /** Where its CPU and RSS are read from. */
  resources: ResourceSource;
  /** Its Prometheus endpoint base URL, when it has one (the project server): event-loop delay. */
  metricsUrl?: string;
  /** Its Redis, when known (the kit spawned it): lets a scenario count Redis commands. */
  redisUrl?: string;
  /** Its REDIS_PREFIX, when known (the kit spawned it): lets a scenario read the server's keys. */
  redisPrefix?: string;
  /** DevTools endpoint of a server the kit spawned (loopback): lets a scenario force a GC there. */
  inspectorUrl?: string;
  /** Processes that serve with it (a spawned server's redis-server): their CPU counts as the server side's. */
  companions?: { label: string; pid: number }[];
  pid?: number;
  /** The CPU it is pinned to, when pinned. */
  cpu?: number;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

interface Spawned {
  child: ChildProcess;
  pid: number;
  /** Last output lines, for error messages. */
  tail(): string;
  stop(): Promise<void>;
}

function spawnPinned(
  cmd: string,
  args: string[],
  opts: { cpu?: number; env?: NodeJS.ProcessEnv; onLine?: (line: string) => void; cwd?: string },
): Spawned {
  const [file, argv] =
    opts.cpu === undefined ? [cmd, args] : ['taskset', ['-c', String(opts.cpu), cmd, ...args]];
  const child = spawn(file, argv, {
    cwd: opts.cwd ?? ROOT,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const lines: string[] = [];
  const onLine = (line: string) => {
    lines.push(line);
    if (lines.length > 40) lines.shift();
    opts.onLine?.(line);
  };
  for (const s of [child.stdout, child.stderr]) if (s) createInterface({ input: s }).on('line', onLine);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  void exited.then(() => children.delete(child));
  return {
    child,
    pid: child.pid!,
    tail: () => lines.join('\n'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(15_000, false)]);
      if (!done) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

async function waitFor(what: string, s: Spawned, fn: () => Promise<boolean>, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (s.child.exitCode !== null || s.child.signalCode !== null) {
      throw new Error(
        `${what} exited (${s.child.exitCode ?? s.child.signalCode}) before it was ready:\n${s.tail()}`,
      );
    }
    if (await fn().catch(() => false)) return;
    if (Date.now() > until) {
      await s.stop();
      throw new Error(`${what} was not ready within ${timeoutMs / 1000} s:\n${s.tail()}`);
    }
    await sleep(200);
  }
}

const nodeArgs = (script: string, extra: string[] = [], root = ROOT) => [
  '--import',
  'tsx',
  ...extra,
  join(root, script),
];

/**
 * `--spawn`: a private redis-server and the project server (`server/src/main.ts`) in a fresh data dir, both
 * pinned to `cpu` (the server side is one core, Redis included), with the inspector on a loopback port (for GCs). LOG_LEVEL=warn and AUTH_RATE_LIMIT_PER_MIN=100000
 * (every viewer is a guest sign-up from one IP) unless `env` says otherwise.
 */
export async function spawnProjectServer(opts: {
  cpu?: number;
  env?: Record<string, string>;
  log?: (line: string) => void;
  /** Extra node flags before the entry (e.g. a test-only `--import` preload). */
  nodeFlags?: string[];
  /** Another checkout of the project to run (`--baseline-ref`, see ref-checkout.ts); default this one. */
  root?: string;
  label?: string;
}): Promise<Endpoint & { redisPid: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lc-load-'));
  const redis = await startLocalRedis({ dataDir, logLevel: 'warning' });
  try {
    if (opts.cpu !== undefined) pinPid(redis.pid, opts.cpu);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const msBinFile = join(ROOT, '.data', 'mediasoup-worker-bin');
    const msBin =
      process.env.MEDIASOUP_WORKER_BIN ??
      (existsSync(msBinFile) ? readFileSync(msBinFile, 'utf8').trim() : undefined);
    let inspectorUrl: string | undefined;
    const serverArgs = nodeArgs(
      'server/src/main.ts',
      ['--inspect=127.0.0.1:0', ...(opts.nodeFlags ?? [])],
      opts.root,
    );
    const server = spawnPinned(process.execPath, serverArgs, {
      cpu: opts.cpu,
      cwd: opts.root,
      onLine: (line) => {
        inspectorUrl ??= /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/\S+)/.exec(line)?.[1];
      },
      env: {
        ...process.env,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        REDIS_URL: redis.url,
        REDIS_PREFIX: 'lcload',
        DATA_DIR: dataDir,
        TOKEN_SECRET: randomBytes(32).toString('hex'),
        LOG_LEVEL: 'warn',
        SERVE_CLIENT: 'false',
        // Every simulated viewer is a guest sign-up from 127.0.0.1.
        AUTH_RATE_LIMIT_PER_MIN: '100000',
        ...(msBin ? { MEDIASOUP_WORKER_BIN: msBin } : {}),
        ...opts.env,
      },
    });
    await waitFor(
      'the spawned project server',
      server,
      async () => (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) })).status === 200,
      90_000,
    );
    return {
      label: opts.label ?? 'project',
      url,
      pid: server.pid,
      cpu: opts.cpu,
      resources: { kind: 'proc', pid: server.pid },
      metricsUrl: url,
      redisUrl: redis.url,
      redisPrefix: 'lcload',
      inspectorUrl,
      companions: [{ label: 'redis-server', pid: redis.pid }],
      redisPid: redis.pid,
      async stop() {
        await server.stop();
        await redis.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** `ref`: the project at `--baseline-ref` (started by the runner, see ref-checkout.ts). */
export type BaselineKind = 'plain-socketio' | 'hello' | 'ref';

/** A baseline server in its own process (see baselines/serve.ts), pinned like the project server. */
export async function spawnBaseline(
  kind: Exclude<BaselineKind, 'ref'>,
  opts: { cpu?: number; dropEvery?: number } = {},
): Promise<Endpoint> {
  let url: string | undefined;
  const args = [kind, ...(opts.dropEvery ? ['--drop-every', String(opts.dropEvery)] : [])];
  const s = spawnPinned(process.execPath, [...nodeArgs('load-tests/src/baselines/serve.ts'), ...args], {
    cpu: opts.cpu,
    onLine: (line) => {
      const m = /^READY (http:\/\/\S+)$/.exec(line);
      if (m) url = m[1];
    },
  });
  await waitFor(`the ${kind} baseline`, s, async () => url !== undefined, 30_000);
  return {
    label: `baseline:${kind}`,
    url: url!,
    pid: s.pid,
    cpu: opts.cpu,
    resources: { kind: 'proc', pid: s.pid },
    stop: () => s.stop(),
  };
}

/** A node child process running one of the kit's own scripts (e.g. the memory probe), output line by line. */
export function startNodeScript(
  script: string,
  args: string[],
  opts: { cpu?: number; nodeFlags?: string[]; onLine?: (line: string) => void; env?: NodeJS.ProcessEnv },
) {
  const s = spawnPinned(process.execPath, [...nodeArgs(script, opts.nodeFlags), ...args], {
    cpu: opts.cpu,
    onLine: opts.onLine,
    env: opts.env,
  });
  const exited = new Promise<number | null>((r) => {
    if (s.child.exitCode !== null) r(s.child.exitCode);
    else s.child.once('exit', (code) => r(code));
  });
  return { pid: s.pid, child: s.child, exited, tail: s.tail, stop: s.stop };
}
