/**
 * Starts the real services the suite needs, once per run: a private redis-server and a private PostgreSQL
 * cluster (or TEST_REDIS_URL / TEST_DATABASE_URL when set). Test files read them with `inject(...)`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDb } from '../server/src/ledger/db';
import { runMigrations } from '../server/src/ledger/migrate';
import { startTestPostgres } from './postgres';
import { startTestRedis } from './redis';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    pgUrl: string;
    /** A migrated PGlite data dir to copy: creating a PGlite cluster takes seconds, copying one doesn't. */
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const template = mkdtempSync(join(tmpdir(), 'lc-pglite-template-'));
  const [redis, pg] = await Promise.all([
    startTestRedis(),
    startTestPostgres(),
    (async () => {
      const db = await openDb({ dataDir: template });
      await runMigrations(db);
      await db.close();
    })(),
  ]);
  project.provide('redisUrl', redis.url);
  project.provide('pgUrl', pg.url);
  project.provide('pgliteTemplate', join(template, 'ledger'));
  // The mediasoup worker binary built by scripts/bootstrap.sh (media tests read MEDIASOUP_WORKER_BIN).
  const binFile = '.data/mediasoup-worker-bin';
  if (!process.env.MEDIASOUP_WORKER_BIN && existsSync(binFile)) {
    process.env.MEDIASOUP_WORKER_BIN = readFileSync(binFile, 'utf8').trim();
  }
  return async () => {
    await Promise.allSettled([redis.stop(), pg.stop()]);
    rmSync(template, { recursive: true, force: true });
  };
}
