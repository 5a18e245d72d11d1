import type { JoinResult, Presence } from '@lc/contracts/room.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  connect,
  guest,
  hostWithLive,
  startServer,
  type TestServer,
  waitFor,
} from '../../../test/server';

describe('presence pushes in a big room', () => {
  let s: TestServer;
  beforeAll(async () => {
    // 24 sockets at 6 per tick: a push at most every 4 ticks (400 ms) while joins move the count every tick.
    s = await startServer({ env: { PRESENCE_MS: '100', PRESENCE_SOCKETS_PER_TICK: '6' } });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('pushes no more often than every ceil(sockets / PRESENCE_SOCKETS_PER_TICK) ticks, and still lands on the exact count', async () => {
    const { liveId } = await hostWithLive(s);
    const users = await Promise.all(Array.from({ length: 24 }, (_, i) => guest(s, `v${i}`)));
    const sockets = await Promise.all(users.map((u) => connect(s, u.token)));
    const seen: { at: number; p: Presence }[] = [];
    sockets[0]!.on('room:presence', (p) => seen.push({ at: performance.now(), p }));
    // All join first, so the room holds 24 sockets; then the count keeps moving as 12 of them leave and rejoin.
    const joins = await Promise.all(sockets.map((x) => call<JoinResult>(x, 'live:join', { liveId })));
    expect(joins.every((j) => j.ok)).toBe(true);
    await waitFor(() => seen.at(-1)?.p.online === 24, 5000, 'the first exact push');
    const from = seen.length;
    const until = performance.now() + 2000;
    let flips = 0;
    while (performance.now() < until) {
      const x = sockets[1 + (flips % 12)]!;
      await call(x, 'live:leave', { liveId });
      await new Promise((r) => setTimeout(r, 40));
      await call(x, 'live:join', { liveId });
      flips++;
    }
    const during = seen.slice(from);
    const gaps = during.slice(1).map((e, i) => e.at - during[i]!.at);
    // The count moved on nearly every 100 ms tick; every 4th tick at most may tell the room (timers may run a
    // little early, never a whole tick).
    expect(flips).toBeGreaterThan(10);
    expect(during.length).toBeGreaterThanOrEqual(2);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(300);
    await waitFor(() => seen.at(-1)?.p.online === 24, 5000, 'the settled count');
    for (const x of sockets) x.close();
  }, 60_000);
});
