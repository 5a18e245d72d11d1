/**
 * PostgreSQL backend of the ledger `Db`: a `pg.Pool`; transactions run on one checked-out client. Every wait is
 * bounded (connect, each query), so a request or job talking to a PostgreSQL that crashed or hangs fails and is
 * retried instead of waiting forever.
 */
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

export interface PostgresTimeouts {
  /** Longest wait for a new connection (TCP + startup + auth), ms. */
  connectMs: number;
  /** Longest wait for one query's answer (client side) and longest statement run (server side), ms. */
  queryMs: number;
}

export async function openPostgres(
  url: string,
  poolSize: number,
  timeouts: PostgresTimeouts,
  onError?: (err: Error) => void,
): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: typeParsers,
    connectionTimeoutMillis: timeouts.connectMs,
    // NOTE: query_timeout also covers a server that died without closing the socket (no answer ever comes);
    // statement_timeout stops the server working on a query nobody waits for any more.
    query_timeout: timeouts.queryMs,
    statement_timeout: timeouts.queryMs,
    keepAlive: true,
  });
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
      // NOTE: the pool listens for errors of idle clients only. A checked-out client whose connection drops
      // between two queries (PostgreSQL crashed while the body awaits Redis) emits 'error': without this listener
      // that is an uncaught exception that kills the process. The next query on it rejects, the tx fails.
      const onClientError = (err: Error) => {
        broken = err;
        onError?.(err);
      };
      client.on('error', onClientError);
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
        // A client whose connection failed or whose ROLLBACK failed is in an unknown state: destroy it instead
        // of returning it to the pool.
        client.removeListener('error', onClientError);
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
