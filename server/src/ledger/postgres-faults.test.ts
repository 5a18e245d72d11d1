/**
 * The PostgreSQL ledger under connection faults (real PostgreSQL): a connection killed mid-transaction fails the
 * transaction instead of crashing the process, a query that never answers and a server that never completes the
 * startup both fail within their timeout. `chaos postgres` once hung because of the first: the job worker died of
 * an unhandled 'error' event when PostgreSQL crashed while a settlement transaction awaited Redis.
 */
import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../../../test/postgres';
import { freePort } from '../redis/free-port';
import type { Db } from './db';
import { openPostgres } from './postgres';

describe('the PostgreSQL ledger under connection faults', () => {
  let server: TestPostgres;
  let admin: pg.Client;
  const errors: Error[] = [];
  let db: Db;

  beforeAll(async () => {
    server = await startTestPostgres();
    admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    db = await openPostgres(server.url, 4, { connectMs: 2000, queryMs: 1500 }, (err) => errors.push(err));
  }, 120_000);

  afterAll(async () => {
    await db?.close();
    await admin?.end();
    await server?.stop();
  });

  it('fails a transaction whose connection is killed between two queries, and keeps serving', async () => {
    const uncaught: Error[] = [];
    const onUncaught = (err: Error) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      const run = db.tx(async (tx) => {
        const [{ pid }] = (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows as [
          { pid: number },
        ];
        // The body awaits something else (Redis, in the settlement) while the backend is killed.
        await admin.query('SELECT pg_terminate_backend($1)', [pid]);
        await new Promise((r) => setTimeout(r, 300));
        await tx.query('SELECT 1');
      });
      await expect(run).rejects.toThrow();
      expect(uncaught).toEqual([]);
      expect(errors.length).toBeGreaterThan(0);
      // The broken client was destroyed, not handed to the next caller.
      for (let i = 0; i < 8; i++) await expect(db.ping()).resolves.toBeUndefined();
    } finally {
      process.removeListener('uncaughtException', onUncaught);
    }
  });

  it('fails a query that takes longer than the query timeout', async () => {
    const t0 = performance.now();
    await expect(db.query('SELECT pg_sleep(10)')).rejects.toThrow();
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(5000);
    await expect(db.ping()).resolves.toBeUndefined();
  });

  it('fails to open when the server accepts TCP but never answers the startup', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    const port = await freePort();
    await new Promise<void>((r) => silent.listen(port, '127.0.0.1', r));
    try {
      const t0 = performance.now();
      await expect(
        openPostgres(`postgresql://postgres@127.0.0.1:${port}/postgres`, 1, {
          connectMs: 500,
          queryMs: 1000,
        }),
      ).rejects.toThrow(/timeout/i);
      expect(performance.now() - t0).toBeLessThan(3000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});
