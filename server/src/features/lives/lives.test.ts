import type { Live } from '@lc/contracts/live.schema';
import { type JoinResult, RoomSnapshot } from '@lc/contracts/room.schema';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  connect,
  guest,
  hostWithLive,
  http,
  registerHost,
  startServer,
  type TestServer,
  waitFor,
} from '../../../../test/server';
import { loadConfig } from '../../config';
import { buildWorker } from '../../worker-app';

describe.each(['pglite', 'postgres'] as const)('lives on %s', (ledger) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ ledger });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('runs a live through scheduled → live → ended, recorded in the ledger; ending twice is a no-op', async () => {
    const host = await registerHost(s);
    const created = await http<Live>(
      s,
      'POST',
      '/api/lives',
      { title: '直播 #1 🎉', scheduledAt: '2026-12-01T12:00:00Z' },
      host.token,
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'scheduled',
      title: '直播 #1 🎉',
      hostName: host.user.displayName,
    });
    const id = created.body.id;

    const listed = await http<{ lives: Live[] }>(s, 'GET', '/api/lives?status=scheduled');
    expect(listed.body.lives.map((l) => l.id)).toContain(id);

    const started = await http<Live>(s, 'POST', `/api/lives/${id}/start`, undefined, host.token);
    expect(started.body).toMatchObject({ status: 'live' });
    expect(started.body.startedAt).not.toBeNull();

    const ended = await http<Live>(s, 'POST', `/api/lives/${id}/end`, undefined, host.token);
    const again = await http<Live>(s, 'POST', `/api/lives/${id}/end`, undefined, host.token);
    expect(ended.body.status).toBe('ended');
    expect(again.status).toBe(200);
    expect(again.body.endedAt).toBe(ended.body.endedAt);

    const rows = await s.built.deps.db.query<{ to_status: string }>(
      'SELECT to_status FROM live_transitions WHERE live_id = $1 ORDER BY id',
      [id],
    );
    expect(rows.rows.map((r) => r.to_status)).toEqual(['scheduled', 'live', 'ended']);

    const restart = await http<{ error: { code: string } }>(
      s,
      'POST',
      `/api/lives/${id}/start`,
      undefined,
      host.token,
    );
    expect(restart.status).toBe(409);
    expect(restart.body.error.code).toBe('INVALID_TRANSITION');

    // One end-of-live job however often the live is ended.
    const job = await s.built.deps.endQueue.getJob(`end-live-${id}`);
    expect(job?.data).toMatchObject({ liveId: id });
    expect(await s.built.deps.endQueue.count()).toBe(1);
  });

  it('refuses bad input and other people’s lives with stable codes', async () => {
    const host = await registerHost(s);
    const viewer = await guest(s);
    const bad = await http<{ error: { code: string } }>(s, 'POST', '/api/lives', { title: '' }, host.token);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION');
    const anon = await http<{ error: { code: string } }>(s, 'POST', '/api/lives', { title: 'x' });
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe('UNAUTHENTICATED');
    const byViewer = await http<{ error: { code: string } }>(
      s,
      'POST',
      '/api/lives',
      { title: 'x' },
      viewer.token,
    );
    expect(byViewer.status).toBe(403);
    const live = await http<Live>(s, 'POST', '/api/lives', { title: 'mine' }, host.token);
    const other = await registerHost(s);
    const steal = await http<{ error: { code: string } }>(
      s,
      'POST',
      `/api/lives/${live.body.id}/end`,
      undefined,
      other.token,
    );
    expect(steal.status).toBe(403);
    expect(steal.body.error.code).toBe('FORBIDDEN');
    const missing = await http<{ error: { code: string } }>(
      s,
      'GET',
      '/api/lives/00000000-0000-4000-8000-000000000000',
    );
    expect(missing.body.error.code).toBe('LIVE_NOT_FOUND');
    const badId = await http<{ error: { code: string } }>(s, 'GET', '/api/lives/abc');
    expect(badId.body.error.code).toBe('VALIDATION');
  });

  it('announces status changes to the room with seq', async () => {
    const host = await registerHost(s);
    const live = await http<Live>(s, 'POST', '/api/lives', { title: 'room' }, host.token);
    const viewer = await connect(s, (await guest(s)).token);
    const join = await call<JoinResult>(viewer, 'live:join', { liveId: live.body.id });
    expect(join.ok && join.data.mode === 'snapshot' && join.data.snapshot.live.status).toBe('scheduled');
    const statuses: string[] = [];
    viewer.on('room:events', (f) => {
      for (const e of f.events)
        if (e.type === 'live:status') statuses.push((e.data as { status: string }).status);
    });
    const hostSock = await connect(s, host.token);
    expect((await call<Live>(hostSock, 'live:start', { liveId: live.body.id })).ok).toBe(true);
    expect((await call<Live>(hostSock, 'live:end', { liveId: live.body.id })).ok).toBe(true);
    await waitFor(() => statuses.length === 2, 3000, 'status events');
    expect(statuses).toEqual(['live', 'ended']);
    const ann = await call(hostSock, 'live:announce', { liveId: live.body.id, text: 'too late' });
    expect(ann).toMatchObject({ ok: false, error: { code: 'LIVE_ENDED' } });
    viewer.close();
    hostSock.close();
  });

  it('serves snapshots exact at their seq while the room part is shared: REST text equals the join snapshot', async () => {
    const { host, liveId } = await hostWithLive(s);
    const viewer = await guest(s);
    const get = async () => {
      const res = await http<RoomSnapshot>(
        s,
        'GET',
        `/api/lives/${liveId}/snapshot`,
        undefined,
        viewer.token,
      );
      expect(res.status).toBe(200);
      return RoomSnapshot.parse(res.body);
    };
    const first = await get();
    const again = await get(); // within SNAPSHOT_CACHE_MS: the shared part is reused
    expect({ ...again, serverTime: 0 }).toEqual({ ...first, serverTime: 0 });

    // A logged change right after a cached build: the next snapshot is at the new seq and shows it.
    const hostSock = await connect(s, host.token);
    const ann = await call<{ seq: number }>(hostSock, 'live:announce', { liveId, text: '抽奖 at 8pm' });
    expect(ann.ok).toBe(true);
    const announced = await get();
    expect(announced.seq).toBe(ann.ok ? ann.data.seq : -1);
    expect(announced.recent.at(-1)).toMatchObject({
      type: 'live:announcement',
      data: { text: '抽奖 at 8pm' },
    });
    expect((await call(hostSock, 'live:end', { liveId })).ok).toBe(true);
    const ended = await get();
    expect(ended.seq).toBe(announced.seq + 1);
    expect(ended.live.status).toBe('ended');

    // The socket join builds the same snapshot as objects; the route splices cached JSON text.
    const sock = await connect(s, viewer.token);
    const join = await call<JoinResult>(sock, 'live:join', { liveId });
    const joined = join.ok && join.data.mode === 'snapshot' ? join.data.snapshot : undefined;
    const rest = await get();
    expect({ ...rest, serverTime: 0, presence: null }).toEqual({ ...joined, serverTime: 0, presence: null });
    sock.close();
    hostSock.close();
  });
});

describe('end-of-live jobs', () => {
  it('settles each live once: the worker writes live_stats once however often the live ends', async () => {
    const s = await startServer({ ledger: 'postgres' });
    const worker = await buildWorker(loadConfig(s.env), pino({ level: 'silent' }));
    try {
      const host = await registerHost(s);
      const live = await http<Live>(s, 'POST', '/api/lives', { title: 'settle' }, host.token);
      const id = live.body.id;
      await http(s, 'POST', `/api/lives/${id}/start`, undefined, host.token);
      const viewers = await Promise.all(
        [1, 2, 3].map(async (i) => connect(s, (await guest(s, `v${i}`)).token)),
      );
      await Promise.all(viewers.map((v) => call(v, 'live:join', { liveId: id })));
      await Promise.all([1, 2, 3].map(() => http(s, 'POST', `/api/lives/${id}/end`, undefined, host.token)));

      const row = await waitFor(
        async () =>
          (
            await s.built.deps.db.query<{ peak_online: number; unique_viewers: number }>(
              'SELECT * FROM live_stats WHERE live_id = $1',
              [id],
            )
          ).rows[0],
        15_000,
        'live_stats row',
      );
      expect(row).toMatchObject({ peak_online: 3, unique_viewers: 3 });
      const step = await s.built.deps.endQueue.getJob(`live-stats-${id}`);
      await waitFor(async () => (await step?.getState()) === 'completed', 5000, 'step completed');
      // Ending again after settlement changes nothing.
      await http(s, 'POST', `/api/lives/${id}/end`, undefined, host.token);
      await new Promise((r) => setTimeout(r, 500));
      const count = await s.built.deps.db.query(
        'SELECT count(*)::int AS n FROM live_stats WHERE live_id = $1',
        [id],
      );
      expect(count.rows[0]).toEqual({ n: 1 });
      for (const v of viewers) v.close();
    } finally {
      await worker.close();
      await s.close();
    }
  });
});
