/** PGlite backend of the ledger `Db`: embedded Postgres persisted under `<dataDir>/ledger`, one connection. */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import { assertNotInTx, type Db, type Executor, runInTx } from './db-contract';

const asText = (value: string) => value;
/** Aligns PGlite with node-postgres (see the type rule in db.ts); array parsers derive from these. */
const parsers = { [types.INT8]: asText, [types.DATE]: asText };

interface PgliteLike {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[]; rowCount?: number; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
}

function executor(pg: PgliteLike): Executor {
  return {
    async query<T>(sql: string, params?: unknown[]) {
      const res = await pg.query<T>(sql, params);
      return { rows: res.rows, rowCount: res.rowCount ?? res.affectedRows ?? 0 };
    },
    async exec(sql: string) {
      await pg.exec(sql);
    },
  };
}

/**
 * PGlite has no locking of its own and corrupts a data dir opened by two instances, so a pid lock file makes
 * a second opener (another process, or this one) fail with a message instead.
 */
function lockDir(dataDir: string): () => void {
  const file = join(dataDir, 'ledger.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(file, 'utf8').trim());
      if (holder > 0 && alive(holder)) {
        throw new Error(
          `the PGlite ledger in ${join(dataDir, 'ledger')} is already open in process ${holder}` +
            `${holder === process.pid ? ' (this one)' : ''}: PGlite is single-process — use one API node, or set DATABASE_URL`,
        );
      }
      rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`could not lock ${file}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function openPglite(dataDir: string): Promise<Db> {
  const dir = join(dataDir, 'ledger');
  mkdirSync(dir, { recursive: true });
  const unlock = lockDir(dataDir);
  let pg: PGlite;
  try {
    pg = await PGlite.create(dir, { parsers });
  } catch (err) {
    unlock();
    throw err;
  }
  const direct = executor(pg);
  let closing: Promise<void> | undefined;
  return {
    kind: 'pglite',
    query(sql, params) {
      assertNotInTx('query');
      return direct.query(sql, params);
    },
    exec(sql) {
      assertNotInTx('exec');
      return direct.exec(sql);
    },
    // NOTE: PGlite queues plain queries and other transactions behind a running `transaction()`,
    // so concurrent tx() calls are serialized and nothing interleaves inside one.
    tx(fn) {
      assertNotInTx('tx');
      return pg.transaction((t) => runInTx(() => fn(executor(t))));
    },
    async ping() {
      await direct.query('SELECT 1');
    },
    close() {
      closing ??= pg.close().finally(unlock);
      return closing;
    },
  };
}
