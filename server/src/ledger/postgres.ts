/** PostgreSQL backend of the ledger `Db`: a `pg.Pool`; transactions run on one checked-out client. */
import pg from 'pg';
import { assertNotInTx, type Db, type Executor, runInTx } from './db-contract';

const DATE = 1082;
const DATE_ARRAY = 1182;
const TEXT_ARRAY = 1009;
type TypeId = Parameters<typeof pg.types.getTypeParser>[0];

/** Per-pool overrides (never the global pg.types): dates stay 'YYYY-MM-DD' strings, see db.ts. */
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === DATE) return (value: string) => value;
    return pg.types.getTypeParser((oid === DATE_ARRAY ? TEXT_ARRAY : oid) as TypeId, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

function executor(client: pg.Pool | pg.PoolClient): Executor {
  return {
    async query<T>(sql: string, params?: unknown[]) {
      const res = await client.query(sql, params);
      return { rows: res.rows as T[], rowCount: res.rowCount ?? 0 };
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  };
}

export async function openPostgres(
  url: string,
  poolSize: number,
  onError?: (err: Error) => void,
): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: typeParsers });
  pool.on('error', (err) => onError?.(err));
  const direct = executor(pool);
  let closing: Promise<void> | undefined;
  const db: Db = {
    kind: 'postgres',
    query(sql, params) {
      assertNotInTx('query');
      return direct.query(sql, params);
    },
    exec(sql) {
      assertNotInTx('exec');
      return direct.exec(sql);
    },
    async tx(fn) {
      assertNotInTx('tx');
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await runInTx(() => fn(executor(client)));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((rollbackErr: Error) => {
          broken = rollbackErr;
        });
        throw err;
      } finally {
        // A client whose ROLLBACK failed is in an unknown state: destroy it instead of returning it to the pool.
        client.release(broken);
      }
    },
    async ping() {
      await direct.query('SELECT 1');
    },
    close() {
      closing ??= pool.end();
      return closing;
    },
  };
  await db.ping();
  return db;
}
