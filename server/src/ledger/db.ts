/**
 * Ledger database adapter: opens the `Db` (db-contract.ts) over PGlite (embedded, default) or PostgreSQL
 * (`DATABASE_URL`), so repositories and migrations run unchanged on both.
 */
import type { Db } from './db-contract';

export type { Db, Executor, Queryable } from './db-contract';

export interface OpenDbOptions {
  /** Set: PostgreSQL pool. Unset: PGlite persisted under `<dataDir>/ledger`. */
  databaseUrl?: string;
  dataDir: string;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** PostgreSQL: longest wait for a new connection, ms (default 5000). */
  connectTimeoutMs?: number;
  /** PostgreSQL: longest wait for one query, ms (default 30000). */
  queryTimeoutMs?: number;
  /** PostgreSQL idle-client errors (e.g. server restart); without a listener they would crash the process. */
  onError?: (err: Error) => void;
}

export async function openDb(opts: OpenDbOptions): Promise<Db> {
  if (opts.databaseUrl) {
    const { openPostgres } = await import('./postgres');
    const timeouts = { connectMs: opts.connectTimeoutMs ?? 5000, queryMs: opts.queryTimeoutMs ?? 30_000 };
    return openPostgres(opts.databaseUrl, opts.poolSize ?? 10, timeouts, opts.onError);
  }
  const { openPglite } = await import('./pglite');
  return openPglite(opts.dataDir);
}

/** Postgres SQLSTATE of a driver error (same `code` property on pg and PGlite), if any. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
