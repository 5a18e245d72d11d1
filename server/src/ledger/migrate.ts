/**
 * Schema migrations: `migrations/NNN_name.sql` applied in order, each once, each in its own transaction,
 * recorded in `schema_migrations`. Safe when several processes migrate the same Postgres at once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db, Executor } from './db';

const DEFAULT_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const FILE = /^(\d{3,})_([a-z0-9_]+)\.sql$/;
/** Arbitrary constant key of the advisory lock that serializes migrators ("ledger" in ASCII). */
const LOCK_KEY = 0x6c6564676572;

interface Migration {
  version: string;
  name: string;
  sql: string;
}

/** Migration files in version order; throws on a misnamed file or a duplicate version. */
export function loadMigrations(dir = DEFAULT_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => {
      const m = FILE.exec(file);
      if (!m?.[1] || !m[2]) throw new Error(`migration file ${file} must be named NNN_name.sql`);
      return { version: m[1], name: m[2], sql: readFileSync(join(dir, file), 'utf8') };
    });
  const versions = new Set(migrations.map((m) => m.version));
  if (versions.size !== migrations.length) throw new Error(`duplicate migration version in ${dir}`);
  return migrations;
}

/** Applies pending migrations; returns their `NNN_name` ids (empty when the schema is current). */
export async function runMigrations(db: Db, opts: { dir?: string } = {}): Promise<{ applied: string[] }> {
  const applied: string[] = [];
  await db.tx(async (q) => {
    await lock(q);
    await q.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  });
  for (const m of loadMigrations(opts.dir)) {
    const done = await db.tx(async (q) => {
      // NOTE: re-checked under the lock: another process may have applied it while we waited.
      await lock(q);
      const seen = await q.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
      if (seen.rowCount > 0) return false;
      await q.exec(m.sql);
      await q.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      return true;
    });
    if (done) applied.push(`${m.version}_${m.name}`);
  }
  return { applied };
}

// Transaction-scoped: released by COMMIT/ROLLBACK, so a crashed migrator never leaves it held.
async function lock(q: Executor): Promise<void> {
  await q.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
}
