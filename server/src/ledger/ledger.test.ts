/** The ledger layer (adapter, migrations, repositories) on both backends: PGlite and real PostgreSQL. */
import { randomUUID } from 'node:crypto';
import type { AppError } from '@lc/contracts/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerBackends } from '../../../test/ledger-backends';
import { type Db, type OpenDbOptions, openDb } from './db';
import { createLivesRepo } from './lives.repo';
import { loadMigrations, runMigrations } from './migrate';
import { createUsersRepo } from './users.repo';

const SLOW = 60_000;
/** Every migration on disk; other features add theirs after 001_init. */
const ALL_MIGRATIONS = loadMigrations().map((m) => `${m.version}_${m.name}`);

const rejectsWithCode = (p: Promise<unknown>, code: AppError['code']) =>
  expect(p).rejects.toMatchObject({ name: 'AppError', code });

describe.each(ledgerBackends())('the ledger on $kind', (backend) => {
  const opened: Db[] = [];
  let db: Db;

  const open = async (opts: OpenDbOptions) => {
    const handle = await openDb(opts);
    opened.push(handle);
    return handle;
  };

  beforeAll(async () => {
    db = await open(await backend.fresh());
    await runMigrations(db);
  }, SLOW);

  afterAll(async () => {
    for (const handle of opened) await handle.close();
    await backend.dispose();
  }, SLOW);

  const newHost = async () => {
    const id = `u_${randomUUID()}`;
    return createUsersRepo(db).insert({
      id,
      username: `host_${id.slice(-12)}`,
      displayName: 'Host 主播',
      passwordHash: 'hash',
      role: 'host',
    });
  };

  const newLive = async () => {
    const host = await newHost();
    return createLivesRepo(db).insert({ id: randomUUID(), hostId: host.id, title: 'Spring sale' });
  };

  it('opens the backend it was asked for and answers ping', async () => {
    expect(db.kind).toBe(backend.kind);
    await expect(db.ping()).resolves.toBeUndefined();
  });

  it(
    'applies every migration once and nothing on a second run',
    async () => {
      const fresh = await open(await backend.fresh());
      expect(ALL_MIGRATIONS[0]).toBe('001_init');
      expect(await runMigrations(fresh)).toEqual({ applied: ALL_MIGRATIONS });
      expect(await runMigrations(fresh)).toEqual({ applied: [] });
      const { rows } = await fresh.query<{ version: string; name: string; applied_at: Date }>(
        'SELECT version, name, applied_at FROM schema_migrations ORDER BY version',
      );
      expect(rows[0]).toEqual({ version: '001', name: 'init', applied_at: expect.any(Date) });
      expect(rows.map((r) => `${r.version}_${r.name}`)).toEqual(ALL_MIGRATIONS);
    },
    SLOW,
  );

  it(
    'applies each migration exactly once when two migrators race',
    async () => {
      const opts = await backend.fresh();
      const first = await open(opts);
      // PGlite is single-process: two handles on one dataDir is not a supported setup, so race on one handle.
      const second = backend.kind === 'postgres' ? await open(opts) : first;
      const results = await Promise.all([runMigrations(first), runMigrations(second)]);
      expect(results.flatMap((r) => r.applied).sort()).toEqual(ALL_MIGRATIONS);
    },
    SLOW,
  );

  it('returns the same JS types on both backends, as documented in db.ts', async () => {
    const at = new Date('2024-02-29T12:34:56.789Z');
    const { rows } = await db.query(
      `SELECT 9007199254740993::int8 AS big, '{1,2}'::int8[] AS bigs, $1::timestamptz AS ts,
        1.50::numeric AS num, '2024-02-29'::date AS day, '{2024-02-29}'::date[] AS days, 7::int4 AS int,
        2.5::float8 AS float, true AS flag, '{"a":[1]}'::jsonb AS doc,
        '00000000-0000-0000-0000-000000000001'::uuid AS id, NULL::text AS nothing`,
      [at],
    );
    expect(rows[0]).toStrictEqual({
      big: '9007199254740993',
      bigs: ['1', '2'],
      ts: at,
      num: '1.50',
      day: '2024-02-29',
      days: ['2024-02-29'],
      int: 7,
      float: 2.5,
      flag: true,
      doc: { a: [1] },
      id: '00000000-0000-0000-0000-000000000001',
      nothing: null,
    });
  });

  it('reports rowCount for writes and reads', async () => {
    const live = await newLive();
    const upd = await db.query('UPDATE lives SET title = title WHERE id = $1', [live.id]);
    expect(upd.rowCount).toBe(1);
    const none = await db.query('SELECT 1 FROM lives WHERE id = $1', [randomUUID()]);
    expect(none).toEqual({ rows: [], rowCount: 0 });
  });

  it('rolls back a transaction whose body throws', async () => {
    const id = `u_${randomUUID()}`;
    const boom = new Error('boom');
    await expect(
      db.tx(async (q) => {
        await createUsersRepo(q).insert({
          id,
          username: null,
          displayName: 'x',
          passwordHash: null,
          role: 'viewer',
        });
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await createUsersRepo(db).findById(id)).toBeNull();
  });

  it('refuses to use the Db itself inside one of its transactions instead of deadlocking', async () => {
    await expect(db.tx(() => db.query('SELECT 1'))).rejects.toThrow(/inside db\.tx/);
    await expect(db.tx(() => db.tx(async () => 1))).rejects.toThrow(/inside db\.tx/);
    await expect(db.tx((q) => q.query('SELECT 1 AS one'))).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });

  it('stores a user and rejects a duplicate username with USERNAME_TAKEN', async () => {
    const users = createUsersRepo(db);
    const host = await newHost();
    expect(host).toEqual({
      id: host.id,
      username: host.username,
      displayName: 'Host 主播',
      passwordHash: 'hash',
      role: 'host',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(await users.findByUsername(host.username!)).toEqual(host);
    expect(await users.findById(host.id)).toEqual(host);
    expect(await users.findByUsername('nobody-here')).toBeNull();
    await rejectsWithCode(
      users.insert({ ...host, id: `u_${randomUUID()}`, username: host.username }),
      'USERNAME_TAKEN',
    );
  });

  it('records a live going scheduled → live → ended as transitions', async () => {
    const lives = createLivesRepo(db);
    const host = await newHost();
    const scheduledAt = new Date('2030-01-01T10:00:00.000Z');
    const id = randomUUID();
    const created = await lives.insert({ id, hostId: host.id, title: 'Spring sale', scheduledAt });
    expect(created).toEqual({
      id,
      hostId: host.id,
      hostName: 'Host 主播',
      title: 'Spring sale',
      status: 'scheduled',
      scheduledAt: scheduledAt.toISOString(),
      startedAt: null,
      endedAt: null,
      createdAt: expect.any(String),
    });

    const startAt = new Date('2030-01-01T10:00:05.000Z');
    const endAt = new Date('2030-01-01T11:00:00.000Z');
    const started = await lives.transition({
      liveId: id,
      from: ['scheduled'],
      to: 'live',
      actorId: host.id,
      at: startAt,
    });
    expect(started).toEqual({
      changed: true,
      live: { ...created, status: 'live', startedAt: startAt.toISOString() },
    });
    const ended = await lives.transition({
      liveId: id,
      from: ['scheduled', 'live'],
      to: 'ended',
      actorId: host.id,
      at: endAt,
    });
    expect(ended.live).toMatchObject({
      status: 'ended',
      startedAt: startAt.toISOString(),
      endedAt: endAt.toISOString(),
    });
    expect(await lives.findById(id)).toEqual(ended.live);

    const transitions = await lives.listTransitions(id);
    expect(transitions.map((t) => [t.fromStatus, t.toStatus, t.actorId])).toEqual([
      [null, 'scheduled', host.id],
      ['scheduled', 'live', host.id],
      ['live', 'ended', host.id],
    ]);
    expect(transitions.map((t) => t.at).slice(1)).toEqual([startAt.toISOString(), endAt.toISOString()]);
    expect(typeof transitions[0]?.id).toBe('string');
  });

  it('treats ending an ended live as a no-op', async () => {
    const lives = createLivesRepo(db);
    const live = await newLive();
    const end = (at: Date) =>
      lives.transition({
        liveId: live.id,
        from: ['scheduled', 'live'],
        to: 'ended',
        actorId: live.hostId,
        at,
      });
    const first = await end(new Date('2030-01-01T00:00:00.000Z'));
    const second = await end(new Date('2030-01-02T00:00:00.000Z'));
    expect(first.changed).toBe(true);
    expect(second).toEqual({ changed: false, live: first.live });
    expect((await lives.listTransitions(live.id)).filter((t) => t.toStatus === 'ended')).toHaveLength(1);
  });

  it('refuses to start an ended live with INVALID_TRANSITION and writes nothing', async () => {
    const lives = createLivesRepo(db);
    const live = await newLive();
    const at = new Date();
    await lives.transition({
      liveId: live.id,
      from: ['scheduled', 'live'],
      to: 'ended',
      actorId: live.hostId,
      at,
    });
    await rejectsWithCode(
      lives.transition({ liveId: live.id, from: ['scheduled'], to: 'live', actorId: live.hostId, at }),
      'INVALID_TRANSITION',
    );
    expect((await lives.findById(live.id))?.status).toBe('ended');
    expect(await lives.listTransitions(live.id)).toHaveLength(2);
  });

  it('reports LIVE_NOT_FOUND for unknown or malformed live ids', async () => {
    const lives = createLivesRepo(db);
    const input = { from: ['scheduled' as const], to: 'live' as const, actorId: 'u_x', at: new Date() };
    await rejectsWithCode(lives.transition({ ...input, liveId: randomUUID() }), 'LIVE_NOT_FOUND');
    await rejectsWithCode(lives.transition({ ...input, liveId: 'not-a-uuid' }), 'LIVE_NOT_FOUND');
    expect(await lives.findById('not-a-uuid')).toBeNull();
    expect(await lives.findById(randomUUID())).toBeNull();
  });

  it('lets exactly one of 20 concurrent end calls change the live', async () => {
    const lives = createLivesRepo(db);
    const live = await newLive();
    await lives.transition({
      liveId: live.id,
      from: ['scheduled'],
      to: 'live',
      actorId: live.hostId,
      at: new Date(),
    });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        lives.transition({
          liveId: live.id,
          from: ['scheduled', 'live'],
          to: 'ended',
          actorId: live.hostId,
          at: new Date(Date.UTC(2030, 0, 1, 0, 0, i)),
        }),
      ),
    );
    expect(results.filter((r) => r.changed)).toHaveLength(1);
    expect(new Set(results.map((r) => r.live.endedAt)).size).toBe(1);
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM live_transitions WHERE live_id = $1 AND to_status = 'ended'`,
      [live.id],
    );
    expect(rows[0]?.n).toBe('1');
  });

  it('lists lives newest first, optionally by status', async () => {
    const lives = createLivesRepo(db);
    const older = await newLive();
    const newer = await newLive();
    await lives.transition({
      liveId: newer.id,
      from: ['scheduled'],
      to: 'live',
      actorId: newer.hostId,
      at: new Date(),
    });

    const all = (await lives.list({ limit: 100 })).map((l) => l.id);
    expect(all.indexOf(newer.id)).toBeLessThan(all.indexOf(older.id));
    expect(all.indexOf(older.id)).toBeGreaterThanOrEqual(0);

    const live = await lives.list({ status: 'live', limit: 100 });
    expect(live.every((l) => l.status === 'live')).toBe(true);
    expect(live.map((l) => l.id)).toContain(newer.id);
    expect(live.map((l) => l.id)).not.toContain(older.id);
    expect(await lives.list({ limit: 1 })).toHaveLength(1);
  });

  it(
    'keeps its data across close and reopen of the same ledger',
    async () => {
      const opts = await backend.fresh();
      const first = await openDb(opts);
      await runMigrations(first);
      const user = await createUsersRepo(first).insert({
        id: 'u_persist',
        username: 'persist',
        displayName: 'Persist',
        passwordHash: null,
        role: 'viewer',
      });
      await first.close();
      await first.close();

      const again = await open(opts);
      expect(await runMigrations(again)).toEqual({ applied: [] });
      expect(await createUsersRepo(again).findById('u_persist')).toEqual(user);
    },
    SLOW,
  );

  it.runIf(backend.kind === 'pglite')(
    'refuses a second opener of the same PGlite ledger, then opens once the first has closed',
    async () => {
      const opts = await backend.fresh();
      const first = await openDb(opts);
      await expect(openDb(opts)).rejects.toThrow(/already open in process \d+ \(this one\).*single-process/);
      await first.close();
      const again = await openDb(opts);
      await again.close();
    },
    SLOW,
  );
});
