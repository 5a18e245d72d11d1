/**
 * Command A (`npm start`): brings the whole system up on one machine — a local redis-server when REDIS_URL is
 * unset, the web client build when it is stale, the API node and the job worker — waits for /readyz and prints
 * where everything is. It owns every process it starts: Ctrl-C / SIGTERM / SIGHUP, a crashed child or a failed
 * readiness wait stop them all (API and worker first, Redis last) and nothing is left running.
 *
 * Launcher-only environment (everything else is the server's own config, see server/src/config.ts):
 *   LC_API_ENTRY, LC_WORKER_ENTRY  entry files of the two children (default server/src/main.ts and
 *                                  server/src/worker.ts); lets the launcher be tested with stub entries.
 *   LC_READY_TIMEOUT_MS            how long to wait for GET /readyz = 200 (default 60000).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  type Config,
  ConfigError,
  type LocalRedis,
  loadConfig,
  startLocalRedis,
} from '../server/src/testkit';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Proc {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
  /** All output lines printed (pipes closed), or given up after a short wait. */
  drained: Promise<void>;
  done: boolean;
}

const procs: Proc[] = [];
let redisStart: Promise<LocalRedis> | undefined;
let stopping: Promise<never> | undefined;
let graceMs = 10_000;

const say = (line: string) => process.stdout.write(`[up] ${line}\n`);

// A closed terminal (SIGHUP) must not turn output into a crash halfway through the shutdown.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

/** Stops everything in order and exits; later calls return the same pending shutdown. */
function shutdown(code: number, reason: string): Promise<never> {
  stopping ??= (async () => {
    say(reason);
    await Promise.all(procs.map(stopProc));
    const redis = await redisStart?.catch(() => undefined);
    if (redis) {
      await redis.stop();
      say('local redis-server stopped');
    }
    say(code === 0 ? 'stopped' : 'stopped after an error');
    process.exit(code);
  })();
  return stopping;
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  // NOTE: a second signal (tsx and npm relay Ctrl-C, and the terminal sends it too) must not cut the graceful
  // stop short; the SIGKILL after the grace period bounds it instead.
  process.on(sig, () => void shutdown(0, `${sig} received: stopping everything`));
}

/** SIGTERM, wait, SIGKILL the process group; then kill whatever else is left in its group (grandchildren). */
async function stopProc(p: Proc): Promise<void> {
  if (!p.done) {
    p.child.kill('SIGTERM');
    const exited = await Promise.race([p.exited.then(() => true), sleep(graceMs, false)]);
    if (!exited) {
      say(`${p.name} did not exit within ${graceMs / 1000} s: killing it`);
      killGroup(p, 'SIGKILL');
      await p.exited;
    }
  }
  killGroup(p, 'SIGKILL');
  await p.drained;
}

function killGroup(p: Proc, sig: NodeJS.Signals): void {
  try {
    if (p.child.pid) process.kill(-p.child.pid, sig);
  } catch {
    // group already empty
  }
}

/**
 * Spawns a child in its own process group (so only this launcher signals it, in the right order) with every
 * output line prefixed by `[name]`. `critical`: an exit while we are not stopping brings everything down.
 */
function startProc(
  name: string,
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  critical: boolean,
): Proc {
  // NOTE: a signal may arrive during any await of main(); nothing new starts once the shutdown has begun.
  if (stopping) throw new Error(`not starting ${name}: shutting down`);
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const pipeLines = (from: NodeJS.ReadableStream | null, to: NodeJS.WriteStream) =>
    new Promise<void>((res) => {
      if (!from) return res();
      const rl = createInterface({ input: from, crlfDelay: Number.POSITIVE_INFINITY });
      rl.on('line', (line) => to.write(`[${name}] ${line}\n`));
      rl.on('close', res);
    });
  const pipes = Promise.all([
    pipeLines(child.stdout, process.stdout),
    pipeLines(child.stderr, process.stderr),
  ]);
  const p: Proc = { name, child, done: false, exited: Promise.resolve(), drained: Promise.resolve() };
  p.exited = new Promise<void>((res) => {
    const onEnd = (how: string) => {
      if (p.done) return;
      p.done = true;
      res();
      if (critical && !stopping)
        void shutdown(1, `${name} exited unexpectedly (${how}): stopping everything`);
    };
    child.once('exit', (code, signal) => onEnd(signal ? `signal ${signal}` : `exit code ${code}`));
    child.once('error', (err) => onEnd(err.message));
  });
  // NOTE: a grandchild that inherited the pipes would keep them open; stop waiting for output after 1 s.
  p.drained = p.exited.then(() => Promise.race([pipes.then(() => undefined), sleep(1000)]));
  procs.push(p);
  return p;
}

function newestMtime(dir: string, skip: Set<string>): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(e.name)) continue;
    const path = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(path, skip) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Runs `vite build` when client/dist/index.html is missing or older than any file under client/. */
async function buildClientIfStale(env: NodeJS.ProcessEnv): Promise<void> {
  const clientDir = join(ROOT, 'client');
  if (!existsSync(join(clientDir, 'vite.config.ts'))) {
    say('note: client/vite.config.ts does not exist yet: skipping the web client build');
    return;
  }
  const index = join(clientDir, 'dist', 'index.html');
  const builtAt = existsSync(index) ? statSync(index).mtimeMs : 0;
  if (builtAt && builtAt >= newestMtime(clientDir, new Set(['dist', 'node_modules']))) return;
  say(
    builtAt ? 'client sources changed: rebuilding the web client' : 'building the web client (first start)',
  );
  // `npx vite build`, minus npm's start-up time when vite is installed locally.
  const localVite = join(ROOT, 'node_modules', '.bin', 'vite');
  const [cmd, ...pre] = existsSync(localVite) ? [localVite] : ['npx', '--no', 'vite'];
  const build = startProc('vite', cmd!, [...pre, 'build', '--config', 'client/vite.config.ts'], env, false);
  await build.exited;
  await build.drained;
  if (build.child.exitCode !== 0 && !stopping) {
    await shutdown(1, `web client build failed (exit ${build.child.exitCode}); see the [vite] lines above`);
  }
}

/** Where this machine reaches the API node (PUBLIC_URL may be a proxy in front of it). */
function localBase(cfg: Config): string {
  const h = cfg.HOST === '0.0.0.0' ? '127.0.0.1' : cfg.HOST === '::' ? '::1' : cfg.HOST;
  return `http://${h.includes(':') ? `[${h}]` : h}:${cfg.PORT}`;
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (!stopping) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      const body = (await res.text()).slice(0, 2000);
      if (res.status === 200) return;
      last = `HTTP ${res.status} ${body}`;
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      last = e.cause?.code ?? e.message;
    }
    if (Date.now() > deadline) {
      await shutdown(1, `${url} did not answer 200 within ${timeoutMs / 1000} s; last answer: ${last}`);
    }
    await sleep(300);
  }
  await stopping;
}

function hidePassword(u: string): string {
  try {
    const parsed = new URL(u);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return u;
  }
}

function printBox(lines: string[]): void {
  const width = Math.max(...lines.map((l) => l.length));
  const out = [
    `┌${'─'.repeat(width + 2)}┐`,
    ...lines.map((l) => `│ ${l.padEnd(width)} │`),
    `└${'─'.repeat(width + 2)}┘`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

function mediasoupWorkerBin(): string | undefined {
  if (process.env.MEDIASOUP_WORKER_BIN) return process.env.MEDIASOUP_WORKER_BIN;
  // Written by scripts/bootstrap.sh.
  const file = join(ROOT, '.data', 'mediasoup-worker-bin');
  const bin = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  return bin && existsSync(bin) ? bin : undefined;
}

async function main(): Promise<void> {
  let cfg: Config;
  try {
    cfg = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  if (cfg.PORT === 0) {
    process.stderr.write('PORT=0 is not supported by `npm start` (it must know where to check /readyz)\n');
    process.exit(1);
  }
  graceMs = Math.max(10_000, cfg.SHUTDOWN_TIMEOUT_MS + 1000);
  const entries = {
    api: resolve(process.env.LC_API_ENTRY ?? join(ROOT, 'server/src/main.ts')),
    worker: resolve(process.env.LC_WORKER_ENTRY ?? join(ROOT, 'server/src/worker.ts')),
  };
  for (const [name, file] of Object.entries(entries)) {
    if (!existsSync(file)) {
      process.stderr.write(`[up] the ${name} entry ${file} does not exist\n`);
      process.exit(1);
    }
  }

  let redisUrl = process.env.REDIS_URL;
  let redisNote = '(REDIS_URL)';
  if (!redisUrl) {
    say(`REDIS_URL is not set: starting a local redis-server (data in ${join(cfg.DATA_DIR, 'redis')})`);
    redisStart = startLocalRedis({ dataDir: cfg.DATA_DIR, log: say });
    const redis = await redisStart.catch((err: Error) => shutdown(1, err.message));
    redisUrl = redis.url;
    redisNote = `(local redis-server pid ${redis.pid}, log ${redis.logFile})`;
    say(`local Redis at ${redis.url}, AOF in ${redis.dir}`);
    void redis.exited.then(({ code, signal }) => {
      if (!stopping) void shutdown(1, `redis-server exited unexpectedly (code ${code}, signal ${signal})`);
    });
  }

  if (stopping) return; // a signal arrived while Redis was starting
  const msBin = mediasoupWorkerBin();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: cfg.DATA_DIR,
    TOKEN_SECRET: cfg.TOKEN_SECRET,
    REDIS_URL: redisUrl,
    ...(msBin ? { MEDIASOUP_WORKER_BIN: msBin } : {}),
  };

  await buildClientIfStale(env);

  const node = process.execPath;
  startProc('api', node, ['--import', 'tsx', entries.api], env, true);
  // NOTE: PGlite is single-process, so with the embedded ledger the API node runs the job worker in-process.
  if (cfg.DATABASE_URL) startProc('worker', node, ['--import', 'tsx', entries.worker], env, true);

  const base = localBase(cfg);
  const timeout = Number(process.env.LC_READY_TIMEOUT_MS) || 60_000;
  say(`waiting for ${base}/readyz (up to ${timeout / 1000} s)`);
  await waitReady(`${base}/readyz`, timeout);

  const pub = cfg.PUBLIC_URL;
  printBox([
    'Live commerce is up',
    '',
    `Host studio  ${pub}/host.html`,
    `Viewer       ${pub}/`,
    `API docs     ${pub}/docs`,
    `Metrics      ${pub}/metrics`,
    `Redis        ${hidePassword(redisUrl)} ${redisNote}`,
    `Ledger       ${cfg.DATABASE_URL ? `Postgres ${hidePassword(cfg.DATABASE_URL)}` : `PGlite (embedded) in ${join(cfg.DATA_DIR, 'ledger')}`}`,
    `Job worker   ${cfg.DATABASE_URL ? 'separate process' : 'inside the API process (PGlite is single-process)'}`,
    '',
    'Ctrl-C stops everything.',
  ]);
}

main().catch((err: unknown) => {
  void shutdown(1, `launcher failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
});
