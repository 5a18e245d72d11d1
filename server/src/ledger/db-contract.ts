/**
 * The ledger's `Db` interface, implemented by the PGlite (embedded, default) and PostgreSQL backends so
 * repositories and migrations run unchanged on both, and the in-transaction guard the backends share.
 * A leaf module: db.ts opens a backend, the backends import only this.
 *
 * Type rule (identical on both backends, enforced by ledger.test.ts):
 * - `timestamptz` → JS `Date`; repositories turn it into an ISO string. Columns use `timestamptz`, never `timestamp`.
 * - `bigint`/`int8` (and `bigserial` ids) → `string`: exact beyond 2^53, and pg's default.
 * - `numeric` → `string`; `date` → `'YYYY-MM-DD'` string (no timezone shift); arrays follow their element type.
 * - `int2`/`int4`/`float` → `number`, `bool` → `boolean`, `json`/`jsonb` → parsed value, `uuid`/`text` → `string`.
 * Placeholders are `$1, $2, …` on both. `query` runs one statement; `exec` runs a parameterless script.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Queryable {
  query<T = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ): Promise<{ rows: T[]; rowCount: number }>;
}

/** A Queryable that can also run a multi-statement script without parameters (migrations). */
export interface Executor extends Queryable {
  exec(sql: string): Promise<void>;
}

export interface Db extends Executor {
  readonly kind: 'pglite' | 'postgres';
  /**
   * Runs fn in one transaction (BEGIN/COMMIT, ROLLBACK on throw).
   * NOTE: inside fn use `q`, never the Db itself: on PGlite that would wait for this very transaction
   * (deadlock), so both backends throw instead.
   */
  tx<T>(fn: (q: Executor) => Promise<T>): Promise<T>;
  /** Cheap liveness check for /readyz (SELECT 1). */
  ping(): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}

const inTx = new AsyncLocalStorage<true>();
/**
 * NOTE: off in production: once an AsyncLocalStorage runs, Node 20 tracks every promise of the process (about a
 * tenth of all allocations and ~5 % of the CPU of a snapshot request in a profile). Tests and development keep it.
 */
const guardTx = process.env.NODE_ENV !== 'production';

/** Runs a backend's transaction body, marking the async context so misuse of the Db inside it fails fast. */
export function runInTx<T>(fn: () => Promise<T>): Promise<T> {
  return guardTx ? inTx.run(true, fn) : fn();
}

/** Throws when called from inside a `tx` body (see the NOTE on `Db.tx`). */
export function assertNotInTx(what: string): void {
  if (guardTx && inTx.getStore()) {
    throw new Error(`db.${what}() called inside db.tx(): use the transaction's Queryable`);
  }
}
