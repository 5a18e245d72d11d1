/**
 * Launches a private `redis-server` for zero-config starts and tests: loopback only, AOF on (`everysec`),
 * `maxmemory-policy noeviction`, no RDB snapshots, data and log under `<dataDir>/redis`.
 * Owns the pidfile protocol that keeps one server per data dir: a redis-server left running by a launcher that
 * was killed is stopped before a new one starts on the same files.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port';

export type RedisLogLevel = 'debug' | 'verbose' | 'notice' | 'warning';

export interface LocalRedisOptions {
  /** Project data dir; Redis files go to `<dataDir>/redis`. */
  dataDir: string;
  /** Port on 127.0.0.1; a free one is picked when omitted. */
  port?: number;
  /** AOF persistence (default true). Off only for tests that need a server without it. */
  appendonly?: boolean;
  logLevel?: RedisLogLevel;
  /** Extra `--name value` config arguments appended to the command line (tests use this for variants). */
  extraArgs?: string[];
  /** How long to wait for the first PONG (default 10 s). */
  startTimeoutMs?: number;
  /** Receives one-line notes, e.g. that a stale server was stopped. */
  log?: (line: string) => void;
}

export interface LocalRedis {
  url: string;
  port: number;
  pid: number;
  /** `<dataDir>/redis`: AOF dir, pidfile and log. */
  dir: string;
  logFile: string;
  /** Settles when the server process exits, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Graceful SHUTDOWN via SIGTERM (AOF fsynced), SIGKILL after 10 s. Idempotent. */
  stop(): Promise<void>;
}

export class RedisNotInstalledError extends Error {
  override name = 'RedisNotInstalledError';
  constructor() {
    super(
      'redis-server was not found on PATH. Install it — Debian/Ubuntu: `sudo apt-get install -y redis-server`; ' +
        'macOS: `brew install redis` — or set REDIS_URL to an existing Redis >= 6.2 ' +
        '(appendonly yes, maxmemory-policy noeviction).',
    );
  }
}

const STOP_GRACE_MS = 10_000;
const PORT_RETRIES = 3;

/** Starts redis-server and resolves once it answers PING with the dataset loaded. */
export async function startLocalRedis(opts: LocalRedisOptions): Promise<LocalRedis> {
  const bin = findRedisServer();
  const dir = join(resolve(opts.dataDir), 'redis');
  mkdirSync(dir, { recursive: true });
  await stopStaleServer(dir, opts.log);

  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    try {
      return await launch(bin, dir, port, opts);
    } catch (err) {
      // NOTE: freePort() releases the port before redis binds it; another process may win that race.
      const raced = err instanceof LaunchError && err.addressInUse && opts.port === undefined;
      if (!raced || attempt >= PORT_RETRIES) throw err;
    }
  }
}

/** Absolute path of redis-server on PATH; throws RedisNotInstalledError naming what to install. */
export function findRedisServer(): string {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    if (!d) continue;
    const candidate = join(d, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this PATH entry
    }
  }
  throw new RedisNotInstalledError();
}

class LaunchError extends Error {
  constructor(
    message: string,
    readonly addressInUse: boolean,
  ) {
    super(message);
  }
}

async function launch(bin: string, dir: string, port: number, opts: LocalRedisOptions): Promise<LocalRedis> {
  const pidFile = join(dir, 'redis.pid');
  const logFile = join(dir, 'redis.log');
  const args = [
    ...['--bind', '127.0.0.1', '--port', String(port), '--dir', dir],
    ...['--appendonly', opts.appendonly === false ? 'no' : 'yes', '--appendfsync', 'everysec'],
    ...['--maxmemory-policy', 'noeviction', '--save', '', '--daemonize', 'no'],
    ...['--pidfile', pidFile, '--logfile', logFile, '--loglevel', opts.logLevel ?? 'notice'],
    ...(opts.extraArgs ?? []),
  ];
  // NOTE: detached = own process group, so a terminal Ctrl-C reaches only the launcher, which stops Redis
  // last, after the processes that use it have shut down.
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    stderr = (stderr + s).slice(-4000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.once('exit', (code, signal) => res({ code, signal }));
  });
  const spawnError = new Promise<Error>((res) => child.once('error', res));
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });
  // A forgotten handle must neither keep the parent alive nor outlive it on a normal exit.
  child.unref();
  (child.stderr as { unref?: () => void } | null)?.unref?.();
  const onParentExit = () => {
    if (!hasExited) child.kill('SIGTERM');
  };
  process.on('exit', onParentExit);

  const fail = async (what: string): Promise<never> => {
    process.off('exit', onParentExit);
    if (!hasExited) {
      child.kill('SIGKILL');
      await exited;
    }
    const tail = [stderr.trim(), logTail(logFile)].filter(Boolean).join('\n');
    throw new LaunchError(
      `redis-server (${bin}, port ${port}, dir ${dir}) ${what}.\n--- last lines of ${logFile} ---\n${tail || '(empty)'}`,
      /address already in use/i.test(tail),
    );
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 10_000);
  for (;;) {
    const early = await Promise.race([spawnError, exited, sleep(50, 'tick' as const)]);
    if (early instanceof Error) return fail(`could not be started: ${early.message}`);
    if (early !== 'tick') return fail(`exited during startup (code ${early.code}, signal ${early.signal})`);
    const probe = await probeRedis(port).catch(() => undefined);
    if (probe?.pong && probe.pid === child.pid) break;
    if (Date.now() > deadline) {
      return fail(`did not answer PING within ${opts.startTimeoutMs ?? 10_000} ms`);
    }
  }

  const pid = child.pid!;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      process.off('exit', onParentExit);
      await terminate(child, exited);
    })();
    return stopping;
  };
  return { url: `redis://127.0.0.1:${port}`, port, pid, dir, logFile, exited, stop };
}

async function terminate(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  // SIGTERM makes redis-server run SHUTDOWN: fsync the AOF, remove the pidfile, exit 0.
  child.kill('SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS, false)]);
  if (!done) {
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * Sends PING and INFO server in one write; resolves `pong` (false while the AOF is loading) and the server's
 * process id, so a different Redis already listening on the port is never mistaken for ours.
 */
function probeRedis(port: number): Promise<{ pong: boolean; pid: number | undefined }> {
  return new Promise((res, rej) => {
    const sock = connect({ host: '127.0.0.1', port });
    let buf = '';
    const done = (v: { pong: boolean; pid: number | undefined } | Error) => {
      sock.destroy();
      v instanceof Error ? rej(v) : res(v);
    };
    sock.setTimeout(1000, () => done(new Error('probe timed out')));
    sock.on('error', done);
    sock.on('connect', () => sock.write('*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n'));
    sock.setEncoding('utf8');
    sock.on('data', (s: string) => {
      buf += s;
      const firstEnd = buf.indexOf('\r\n');
      if (firstEnd < 0) return;
      // -LOADING while the AOF is replayed: not ready yet.
      if (buf.slice(0, firstEnd) !== '+PONG') return done({ pong: false, pid: undefined });
      const rest = buf.slice(firstEnd + 2);
      const header = /^\$(\d+)\r\n/.exec(rest);
      if (!header || Buffer.byteLength(rest) < header[0].length + Number(header[1])) return;
      const pid = /process_id:(\d+)/.exec(rest)?.[1];
      done({ pong: true, pid: pid ? Number(pid) : undefined });
    });
  });
}

/** Stops a redis-server recorded in `<dir>/redis.pid` that outlived the launcher that started it. */
async function stopStaleServer(dir: string, log?: (line: string) => void): Promise<void> {
  const pidFile = join(dir, 'redis.pid');
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1 || isGone(pid) || !isRedisServer(pid)) {
    rmSync(pidFile, { force: true });
    return;
  }
  log?.(`stopping a stale redis-server (pid ${pid}) still running on ${dir}`);
  try {
    process.kill(pid, 'SIGTERM');
  } catch (err) {
    throw new Error(`a redis-server (pid ${pid}) is still running on ${dir} and cannot be stopped: ${err}`);
  }
  if (await waitGone(pid, STOP_GRACE_MS)) return;
  process.kill(pid, 'SIGKILL');
  if (!(await waitGone(pid, 2000))) throw new Error(`stale redis-server (pid ${pid}) on ${dir} did not exit`);
  rmSync(pidFile, { force: true });
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (isGone(pid)) return true;
    await sleep(25);
  }
  return isGone(pid);
}

/** True when no such process exists (or only its zombie does). */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

function isRedisServer(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'redis-server';
  } catch {
    // No procfs (macOS): ask ps.
    try {
      return execFileSync('ps', ['-p', String(pid), '-o', 'comm='], { encoding: 'utf8' }).includes(
        'redis-server',
      );
    } catch {
      return false;
    }
  }
}

function logTail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
