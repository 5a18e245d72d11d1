import type { JoinResult, Presence } from '@lc/contracts/room.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  connect,
  guest,
  hostWithLive,
  sharedEnv,
  startServer,
  type TestServer,
  waitFor,
} from '../../../test/server';
import { createPresence } from './presence';

describe('presence', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startServer({ ledger: 'postgres' });
    b = await startServer({ env: sharedEnv(a) });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('counts 200 concurrent joins across two nodes exactly, and returns to 0 after all leave', async () => {
    const { liveId } = await hostWithLive(a);
    const users = await Promise.all(Array.from({ length: 200 }, (_, i) => guest(a, `v${i}`)));
    const sockets = await Promise.all(users.map((u, i) => connect(i % 2 ? b : a, u.token)));
    // 20 of them open a second tab: still one user each.
    const tabs = await Promise.all(users.slice(0, 20).map((u) => connect(b, u.token)));
    // NOTE: listen before joining: pushes happen only on change, so a push that lands before a late listener is
    // never repeated (a race that CPU load exposes).
    let pushed: Presence | undefined;
    sockets[0]!.on('room:presence', (x) => {
      pushed = x;
    });
    const joins = await Promise.all(
      [...sockets, ...tabs].map((s) => call<JoinResult>(s, 'live:join', { liveId })),
    );
    expect(joins.every((j) => j.ok)).toBe(true);

    const p = await a.built.deps.presence.get(liveId);
    expect(p).toMatchObject({ online: 200, peak: 200, unique: 200, joinsLastMinute: 200 });

    // Viewers see it too, pushed at a bounded rate.
    await waitFor(() => pushed?.online === 200, 3000, 'presence push');

    await Promise.all(tabs.map((s) => s.close()));
    await new Promise((r) => setTimeout(r, 200));
    expect((await a.built.deps.presence.get(liveId)).online).toBe(200);

    // Half leave explicitly, half just disconnect.
    await Promise.all(sockets.slice(0, 100).map((s) => call(s, 'live:leave', { liveId })));
    for (const s of sockets.slice(100)) s.close();
    const after = await waitFor(
      async () => {
        const x = await a.built.deps.presence.get(liveId);
        return x.online === 0 ? x : undefined;
      },
      5000,
      'online to reach 0',
    );
    expect(after).toMatchObject({ online: 0, peak: 200, unique: 200, leavesLastMinute: 200 });
    for (const s of sockets.slice(0, 100)) s.close();
  });

  it('releases a node’s connections from presence when that node shuts down', async () => {
    const c = await startServer({ env: sharedEnv(a) });
    const { liveId } = await hostWithLive(a);
    const onA = await connect(a, (await guest(a)).token);
    const onC = await Promise.all([1, 2, 3].map(async () => connect(c, (await guest(a)).token)));
    await Promise.all([onA, ...onC].map((s) => call(s, 'live:join', { liveId })));
    expect((await a.built.deps.presence.get(liveId)).online).toBe(4);
    await c.close();
    expect((await a.built.deps.presence.get(liveId)).online).toBe(1);
    onA.close();
  });

  it('counts joins and leaves over a rolling minute, across a minute boundary', async () => {
    let t = Date.UTC(2026, 0, 1, 12, 0, 59, 500);
    const { redis, scripts, keys } = a.built.deps;
    const store = createPresence({ redis, scripts, keys, nodeId: 'rolling', now: () => t });
    const liveId = `rolling-${Date.now()}`;
    await store.join(liveId, 'u1');
    await store.join(liveId, 'u2');
    t += 1000; // 12:01:00.5: a new calendar minute, the same rolling one
    await store.leave(liveId, 'u1');
    expect(await store.get(liveId)).toMatchObject({ online: 1, joinsLastMinute: 2, leavesLastMinute: 1 });
    t += 58_000; // 59 s after the joins
    expect(await store.get(liveId)).toMatchObject({ joinsLastMinute: 2, leavesLastMinute: 1 });
    t += 1000; // 60 s after the joins
    expect(await store.get(liveId)).toMatchObject({ joinsLastMinute: 0, leavesLastMinute: 1 });
    t += 1000;
    expect(await store.get(liveId)).toMatchObject({ online: 1, joinsLastMinute: 0, leavesLastMinute: 0 });
  });
});
