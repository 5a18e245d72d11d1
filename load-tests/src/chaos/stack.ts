/**
 * The stack a chaos scenario breaks on purpose: a private redis-server (AOF everysec, as production runs it) and
 * the project's API node (`server/src/main.ts`) in a fresh data dir: with the PGlite ledger and the job worker
 * in-process, or (`postgres: true`) with a private PostgreSQL and the job worker (`server/src/worker.ts`) in its
 * own process. Unlike `--spawn`, the scenario owns every process, so it can SIGKILL one and start it again.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  freePort,
  type LocalPostgres,
  type LocalRedis,
  startLocalPostgres,
  startLocalRedis,
} from '../../../server/src/testkit';
import { pinPid, ROOT, startNodeScript } from '../lib/processes';

export const CHAOS_PREFIX = 'lcchaos';

export interface ChaosStack {
  url: string;
  /** Every API node's URL (`apiNodes`), the first being `url`. */
  urls: string[];
  /** SIGKILL API node `i` (0 is `url`'s) and wait until it is gone. */
  killApiNode(i: number): Promise<void>;
  redisUrl: string;
  prefix: string;
  serverPid: number;
  redisPid(): number;
  /** SIGKILL redis-server (no shutdown, no final fsync) and wait until it is gone. */
  killRedis(): Promise<void>;
  /** Starts redis-server again on the same port and data dir; `empty` wipes its files first (a Redis without
   * persistence, the misconfiguration the scenario's proof run uses). Resolves once it answers with its data
   * loaded. */
  startRedis(opts?: { empty?: boolean }): Promise<void>;
  /** Resolves once the API node answers /readyz with 200 (or the timeout passes: false). */
  waitReady(timeoutMs: number): Promise<boolean>;
  /** With `postgres: true`: the ledger URL and the separate job worker. */
  databaseUrl?: string;
  workerPid(): number | undefined;
  /** SIGKILL the job worker and wait until it is gone. */
  killWorker(): Promise<void>;
  /** Starts a job worker process (again). */
  startWorker(): void;
  /** Crash PostgreSQL (`pg_ctl stop -m immediate`) and start it again after `downMs`. */
  restartPostgres(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

function mediasoupBin(): string | undefined {
  const file = join(ROOT, '.data', 'mediasoup-worker-bin');
  return (
    process.env.MEDIASOUP_WORKER_BIN ?? (existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined)
  );
}

export async function startChaosStack(opts: {
  cpu?: number;
  env?: Record<string, string>;
  postgres?: boolean;
  /** API nodes sharing Redis and the ledger (default 1; more than one needs `postgres`). */
  apiNodes?: number;
}): Promise<ChaosStack> {
  const apiNodes = opts.apiNodes ?? 1;
  if (apiNodes > 1 && !opts.postgres) throw new Error('several API nodes need the PostgreSQL ledger');
  const dataDir = mkdtempSync(join(tmpdir(), 'lc-chaos-'));
  let redis: LocalRedis = await startLocalRedis({ dataDir, logLevel: 'warning' });
  let pg: LocalPostgres | undefined;
  // NOTE: its own temp dir (mkdtemp is 0700): as root the postgres user must reach it.
  const pgDir = opts.postgres ? mkdtempSync(join(tmpdir(), 'lc-chaos-pg-')) : undefined;
  try {
    if (pgDir) pg = await startLocalPostgres({ dir: pgDir });
  } catch (err) {
    await redis.stop();
    for (const d of [dataDir, pgDir]) if (d) rmSync(d, { recursive: true, force: true });
    throw err;
  }
  const port = redis.port;
  const pin = (pid: number) => {
    if (opts.cpu !== undefined) pinPid(pid, opts.cpu);
  };
  pin(redis.pid);
  const httpPorts: number[] = [];
  for (let i = 0; i < apiNodes; i++) httpPorts.push(await freePort());
  const httpPort = httpPorts[0]!;
  const url = `http://127.0.0.1:${httpPort}`;
  const ms = mediasoupBin();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(httpPort),
    REDIS_URL: redis.url,
    REDIS_PREFIX: CHAOS_PREFIX,
    DATA_DIR: dataDir,
    TOKEN_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    SERVE_CLIENT: 'false',
    MEDIA_ENABLED: 'false',
    AUTH_RATE_LIMIT_PER_MIN: '100000',
    ...(ms ? { MEDIASOUP_WORKER_BIN: ms } : {}),
    ...(pg ? { DATABASE_URL: pg.url } : {}),
    ...opts.env,
  };
  const server = startNodeScript('server/src/main.ts', [], { cpu: opts.cpu, env });
  // NOTE: the other nodes get their own DATA_DIR (recordings, scratch); everything shared is in Redis or the ledger.
  const others = httpPorts.slice(1).map((p, i) => {
    const dir = join(dataDir, `node${i + 2}`);
    return startNodeScript('server/src/main.ts', [], {
      cpu: opts.cpu,
      env: { ...env, PORT: String(p), DATA_DIR: dir },
    });
  });
  const apiProcs = [server, ...others];
  const urls = httpPorts.map((p) => `http://127.0.0.1:${p}`);
  type Proc = ReturnType<typeof startNodeScript>;
  let worker: Proc | undefined;
  const startWorker = () => {
    worker = startNodeScript('server/src/worker.ts', [], { cpu: opts.cpu, env });
  };
  if (pg) startWorker();
  let serverExit: number | null | undefined;
  void server.exited.then((c) => {
    serverExit = c;
  });

  const readyAt = async (u: string, timeoutMs: number, check: () => void) => {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      check();
      const ok = await fetch(`${u}/readyz`, { signal: AbortSignal.timeout(2000) })
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return true;
      await sleep(100);
    }
    return false;
  };
  const waitReady = (timeoutMs: number) =>
    readyAt(url, timeoutMs, () => {
      if (serverExit !== undefined) throw new Error(`the API node exited (${serverExit}):\n${server.tail()}`);
    });

  const stop = async () => {
    await worker?.stop();
    for (const p of others) await p.stop();
    await server.stop();
    await pg?.stop();
    await redis.stop();
    for (const d of [dataDir, pgDir]) if (d) rmSync(d, { recursive: true, force: true });
  };
  try {
    if (!(await waitReady(180_000)))
      throw new Error(`the API node was not ready within 180 s:\n${server.tail()}`);
    for (const [i, p] of others.entries()) {
      const alive = () => {
        if (p.child.exitCode !== null) throw new Error(`API node ${i + 2} exited:\n${p.tail()}`);
      };
      if (!(await readyAt(urls[i + 1]!, 180_000, alive)))
        throw new Error(`API node ${i + 2} was not ready within 180 s:\n${p.tail()}`);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    urls,
    async killApiNode(i) {
      const p = apiProcs[i];
      if (!p) throw new Error(`no API node ${i}`);
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGKILL');
        await p.exited;
      }
    },
    redisUrl: redis.url,
    prefix: CHAOS_PREFIX,
    serverPid: server.pid,
    redisPid: () => redis.pid,
    async killRedis() {
      process.kill(redis.pid, 'SIGKILL');
      await redis.exited;
    },
    async startRedis(o = {}) {
      if (o.empty) rmSync(redis.dir, { recursive: true, force: true });
      redis = await startLocalRedis({ dataDir, port, logLevel: 'warning', startTimeoutMs: 60_000 });
      pin(redis.pid);
    },
    waitReady,
    databaseUrl: pg?.url,
    workerPid: () => worker?.pid,
    async killWorker() {
      const w = worker;
      if (!w) throw new Error('no separate job worker (start the stack with postgres: true)');
      if (w.child.exitCode === null && w.child.signalCode === null) {
        w.child.kill('SIGKILL');
        await w.exited;
      }
    },
    startWorker,
    async restartPostgres(downMs) {
      if (!pg) throw new Error('no PostgreSQL (start the stack with postgres: true)');
      await pg.restart(downMs);
    },
    stop,
  };
}
