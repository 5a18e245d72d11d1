/**
 * Integration-test harness: a real API node (buildApp) on port 0 against the suite's Redis, with a random key
 * prefix and its own ledger (a fresh PGlite dir by default, or a fresh PostgreSQL database), plus real
 * Socket.IO clients.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthResponse } from '@lc/contracts/auth.schema';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '@lc/contracts/events';
import { io as ioClient, type Socket } from 'socket.io-client';
import { inject } from 'vitest';
import { type BuildOptions, type BuiltApp, buildApp } from '../server/src/app';
import { loadConfig } from '../server/src/config';
import { createTestDatabase } from './postgres';

export type TestClient = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TestServer {
  url: string;
  built: BuiltApp;
  env: Record<string, string>;
  close(): Promise<void>;
}

export const randomPrefix = () => `t${randomBytes(5).toString('hex')}`;

/** Starts a node. Pass `env` to share a prefix/secret/ledger between nodes (multi-node tests). */
export async function startServer(
  opts: { env?: Record<string, string>; ledger?: 'pglite' | 'postgres'; build?: BuildOptions } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lc-test-node-'));
  if (opts.ledger !== 'postgres' && !opts.env?.DATABASE_URL && !opts.env?.DATA_DIR) {
    cpSync(inject('pgliteTemplate'), join(dataDir, 'ledger'), { recursive: true });
  }
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'silent',
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: randomPrefix(),
    DATA_DIR: dataDir,
    TOKEN_SECRET: randomBytes(32).toString('hex'),
    ALLOWED_ORIGINS: 'http://allowed.test',
    FRAME_MS: '20',
    PRESENCE_MS: '100',
    SERVE_CLIENT: 'false',
    // Media tests opt in with MEDIA_ENABLED: 'true' (mediasoup workers are processes; most tests need none).
    MEDIA_ENABLED: 'false',
    // Recording (ffmpeg per live) is opted into by the replay tests.
    RECORDING_ENABLED: 'false',
    AUTH_RATE_LIMIT_PER_MIN: '100000',
    // A test node stalled by a loaded machine must not be swept as dead (the sweep's own tests set these).
    NODE_HEARTBEAT_MS: '2000',
    NODE_DEAD_AFTER_MS: '20000',
    ...(opts.ledger === 'postgres' ? { DATABASE_URL: await createTestDatabase(inject('pgUrl')) } : {}),
    ...opts.env,
  };
  const built = await buildApp(loadConfig(env), opts.build);
  await built.app.listen({ host: '127.0.0.1', port: Number(env.PORT) || 0 });
  const addr = built.app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    built,
    env,
    async close() {
      await built.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Env for a second node sharing the first node's Redis prefix, token secret and ledger. */
export const sharedEnv = (s: TestServer) => ({
  REDIS_PREFIX: s.env.REDIS_PREFIX!,
  TOKEN_SECRET: s.env.TOKEN_SECRET!,
  ...(s.env.DATABASE_URL ? { DATABASE_URL: s.env.DATABASE_URL } : { DATA_DIR: s.env.DATA_DIR! }),
});

export async function http<T = unknown>(
  s: TestServer,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export async function registerHost(s: TestServer, name = `host${randomBytes(3).toString('hex')}`) {
  const r = await http<AuthResponse>(s, 'POST', '/api/auth/register', {
    username: name,
    password: 'correct horse',
    displayName: name,
  });
  if (r.status !== 201) throw new Error(`register failed: ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function guest(s: TestServer, displayName = 'viewer') {
  const r = await http<AuthResponse>(s, 'POST', '/api/auth/guest', { displayName });
  if (r.status !== 200) throw new Error(`guest failed: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** A host with a live already started. */
export async function hostWithLive(s: TestServer) {
  const host = await registerHost(s);
  const created = await http<{ id: string }>(s, 'POST', '/api/lives', { title: 'Test live' }, host.token);
  if (created.status !== 201) throw new Error(`create live failed: ${JSON.stringify(created.body)}`);
  const started = await http(s, 'POST', `/api/lives/${created.body.id}/start`, undefined, host.token);
  if (started.status !== 200) throw new Error(`start failed: ${JSON.stringify(started.body)}`);
  return { host, liveId: created.body.id };
}

/** A connected real Socket.IO client (websocket transport). Rejects with the handshake error. */
export function connect(
  s: Pick<TestServer, 'url'>,
  token: string | undefined,
  opts: { origin?: string; reconnection?: boolean; timeoutMs?: number } = {},
) {
  const socket: TestClient = ioClient(s.url, {
    transports: ['websocket'],
    timeout: opts.timeoutMs ?? 20_000,
    auth: token ? { token } : {},
    reconnection: opts.reconnection ?? false,
    forceNew: true,
    extraHeaders: opts.origin ? { origin: opts.origin } : undefined,
  });
  return new Promise<TestClient>((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** Emits a command and resolves with its ack. */
export function call<T = unknown>(
  socket: TestClient,
  event: string,
  payload?: unknown,
  timeoutMs = 10_000,
): Promise<Ack<T>> {
  return (
    socket.timeout(timeoutMs) as unknown as { emitWithAck(e: string, p: unknown): Promise<Ack<T>> }
  ).emitWithAck(event, payload);
}

export async function waitFor<T>(
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A node in its own process (`server/src/main.ts`), sharing `env` with an in-test node. */
export async function spawnNode(
  env: Record<string, string>,
): Promise<{ url: string; pid: number; stop(): Promise<void>; kill(): Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const { freePort } = await import('../server/src/redis/free-port');
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    env: {
      ...process.env,
      MEDIA_ENABLED: 'false',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  /** SIGKILL: a crash — no shutdown code runs. */
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`node process exited with ${child.exitCode}`);
        return (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200;
      },
      30_000,
      'spawned node /readyz',
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, pid: child.pid!, stop, kill };
}
