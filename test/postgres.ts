/**
 * Test helper: a throwaway PostgreSQL server (initdb + pg_ctl in a temp dir) and fresh databases on it.
 * `TEST_DATABASE_URL` short-circuits to an existing server. Missing binaries fail loudly, never skip.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { findPgBin, pgArgv, run } from '../server/src/ledger/local-postgres';
import { freePort } from '../server/src/redis/free-port';

export interface TestPostgres {
  /** `postgresql://` URL of a database on the server. */
  url: string;
  stop(): Promise<void>;
}

/** Starts a private Postgres on 127.0.0.1 (or returns TEST_DATABASE_URL) with one fresh database. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) return { url: external, stop: async () => {} };

  const bin = findPgBin();
  const root = mkdtempSync(join(tmpdir(), 'lc-pg-'));
  const dataDir = join(root, 'data');
  const asRoot = process.getuid?.() === 0;
  const argv = pgArgv(bin);
  const pgRun = (cmd: string, args: string[]) => run(...argv(cmd, args));

  let started = false;
  const stopSync = () => {
    if (started) spawnSync(...argv('pg_ctl', stopArgs(dataDir)));
    started = false;
    rmSync(root, { recursive: true, force: true });
  };
  // A crashed test run must not leave a postmaster behind.
  process.once('exit', stopSync);
  try {
    if (asRoot) await run('chown', ['postgres:postgres', root]);
    const auth = ['-A', 'trust', '-U', 'postgres'];
    await pgRun('initdb', ['-D', dataDir, ...auth, '-E', 'UTF8', '--locale=C', '--no-sync']);
    const port = await freePort();
    const opts = `-k ${root} -c fsync=off -c listen_addresses=127.0.0.1 -p ${port}`;
    const log = join(root, 'postgres.log');
    await pgRun('pg_ctl', ['-D', dataDir, '-l', log, '-w', '-t', '60', '-o', opts, 'start']);
    started = true;
    const url = await createTestDatabase(`postgresql://postgres@127.0.0.1:${port}/postgres`);
    return {
      url,
      stop: async () => {
        if (started) await pgRun('pg_ctl', stopArgs(dataDir));
        started = false;
        process.removeListener('exit', stopSync);
        rmSync(root, { recursive: true, force: true });
      },
    };
  } catch (err) {
    process.removeListener('exit', stopSync);
    stopSync();
    throw err;
  }
}

/** Creates a uniquely named empty database on the server behind `baseUrl`; returns its URL. */
export async function createTestDatabase(baseUrl: string): Promise<string> {
  const name = `lc_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

const stopArgs = (dataDir: string) => ['-D', dataDir, '-m', 'immediate', '-w', 'stop'];
