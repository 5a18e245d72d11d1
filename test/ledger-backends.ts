/**
 * Test helper: the ledger backends every ledger test runs against (PGlite and PostgreSQL). Each hands out
 * `openDb` options for a fresh, isolated ledger: a new temp dataDir, or a new database on the test server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { Db, OpenDbOptions } from '../server/src/ledger/db';
import { createTestDatabase } from './postgres';

export interface LedgerBackend {
  readonly kind: Db['kind'];
  /** `openDb` options for a fresh, empty, unmigrated ledger; opening them twice reaches the same data. */
  fresh(): Promise<OpenDbOptions>;
  /** Removes temp dirs and stops whatever this backend started. */
  dispose(): Promise<void>;
}

// The suite's PostgreSQL server comes from the vitest globalSetup (test/global-setup.ts).
const postgresServer = async () => ({ url: inject('pgUrl'), stop: async () => {} });

export function ledgerBackends(): LedgerBackend[] {
  return [pgliteBackend(), postgresBackend()];
}

function pgliteBackend(): LedgerBackend {
  const dirs: string[] = [];
  return {
    kind: 'pglite',
    async fresh() {
      const dataDir = mkdtempSync(join(tmpdir(), 'lc-ledger-'));
      dirs.push(dataDir);
      return { dataDir };
    },
    async dispose() {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresBackend(): LedgerBackend {
  let server: ReturnType<typeof postgresServer> | undefined;
  return {
    kind: 'postgres',
    async fresh() {
      server ??= postgresServer();
      // dataDir is required by openDb but unused when databaseUrl is set.
      return { databaseUrl: await createTestDatabase((await server).url), dataDir: tmpdir() };
    },
    async dispose() {
      const started = server;
      server = undefined;
      if (started) await (await started).stop();
    },
  };
}
