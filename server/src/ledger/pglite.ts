/** PGlite backend of the ledger `Db`: embedded Postgres persisted under `<dataDir>/ledger`, one connection. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import { assertNotInTx, type Db, type Executor, runInTx } from './db';

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

export async function openPglite(dataDir: string): Promise<Db> {
  const dir = join(dataDir, 'ledger');
  mkdirSync(dir, { recursive: true });
  const pg = await PGlite.create(dir, { parsers });
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
      closing ??= pg.close();
      return closing;
    },
  };
}
