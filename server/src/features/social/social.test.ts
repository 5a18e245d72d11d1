import type { JoinResult } from '@lc/contracts/room.schema';
import type { FollowState, ShareLink, ShareStats, SocialSnapshot } from '@lc/contracts/social.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestOn, joinAs } from '../../../../test/interaction';
import {
  call,
  connect,
  hostWithLive,
  http,
  sharedEnv,
  startServer,
  type TestServer,
  waitFor,
} from '../../../../test/server';

describe('follows and shares', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startServer({ ledger: 'postgres', env: { COUNTERS_BROADCAST_MS: '100' } });
    b = await startServer({ env: { ...sharedEnv(a), COUNTERS_BROADCAST_MS: '100' } });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('follows and unfollows the host (counted, broadcast, in the ledger) and opens followers-only chat', async () => {
    const { liveId, host } = await hostWithLive(a);
    const hostC = await joinAs(a, host, liveId);
    const fans = await Promise.all(
      Array.from({ length: 5 }, async (_, i) => joinAs(i % 2 ? a : b, await guestOn(a, `fan${i}`), liveId)),
    );
    await call(hostC.socket, 'chat:settings', { liveId, followersOnly: true });
    const fan = fans[0]!;
    expect(await call(fan.socket, 'comment:send', { liveId, text: 'hi' })).toMatchObject({
      ok: false,
      error: { code: 'CHAT_RESTRICTED' },
    });
    const results = await Promise.all(
      fans.map((f) => call<FollowState>(f.socket, 'follow:set', { liveId, follow: true })),
    );
    expect(results.every((r) => r.ok && r.data.following)).toBe(true);
    expect(await call(fan.socket, 'follow:set', { liveId, follow: true })).toMatchObject({
      ok: true,
      data: { followers: 5 },
    });
    expect(await call(fan.socket, 'comment:send', { liveId, text: 'hi as a follower' })).toMatchObject({
      ok: true,
    });
    await waitFor(
      () => (hostC.facts.get('follow:count') as { followers: number }[] | undefined)?.at(-1)?.followers === 5,
      5000,
      'follower count broadcast',
    );
    const rest = await http<FollowState>(
      b,
      'DELETE',
      `/api/hosts/${host.user.id}/follow`,
      undefined,
      fans[1]!.auth.token,
    );
    expect(rest.body).toEqual({ following: false, followers: 4 });
    const state = await http<FollowState>(
      a,
      'GET',
      `/api/hosts/${host.user.id}/followers`,
      undefined,
      fan.auth.token,
    );
    expect(state.body).toEqual({ following: true, followers: 4 });
    const rows = await a.built.deps.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM follows WHERE host_id = $1',
      [host.user.id],
    );
    expect(rows.rows[0]!.n).toBe(4);
    expect(await call(hostC.socket, 'follow:set', { liveId, follow: true })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    const snap = await joinAs(b, fan.auth, liveId);
    expect(snap.snapshot.features.social as SocialSnapshot).toEqual({ followers: 4, following: true });
    for (const c of [hostC, snap, ...fans]) c.close();
  });

  it('attributes joins through share links to the sharer, once per viewer; forged and self links count nothing', async () => {
    const { liveId, host } = await hostWithLive(a);
    const sharer = await joinAs(a, await guestOn(a, 'sharer'), liveId);
    const link = await call<ShareLink>(sharer.socket, 'share:create', { liveId });
    if (!link.ok) throw new Error('share failed');
    expect(link.data.url).toContain(`live=${liveId}`);
    expect(link.data.ref.startsWith(`${sharer.auth.user.id}.`)).toBe(true);
    expect((await call<ShareLink>(sharer.socket, 'share:create', { liveId })).ok && true).toBe(true);
    const ref = new URL(link.data.url).searchParams.get('ref')!;
    expect(ref).toBe(link.data.ref);
    const joinVia = async (s: TestServer, r: string, token?: string) => {
      const sock = await connect(s, token ?? (await guestOn(s)).token);
      const res = await call<JoinResult>(sock, 'live:join', { liveId, ref: r });
      expect(res.ok).toBe(true);
      return sock;
    };
    const friend = await guestOn(b, 'friend');
    const socks = [
      ...(await Promise.all(Array.from({ length: 6 }, (_, i) => joinVia(i % 2 ? a : b, ref)))),
      await joinVia(b, ref, friend.token),
      await joinVia(a, ref, friend.token), // the same viewer again: counted once
      await joinVia(a, ref, sharer.auth.token), // the sharer through their own link: not counted
      await joinVia(b, `${sharer.auth.user.id}.forgedsignature`), // forged: not counted
      await joinVia(b, 'garbage'),
    ];
    const stats = await http<ShareStats>(a, 'GET', `/api/lives/${liveId}/shares`, undefined, host.token);
    expect(stats.body).toEqual({
      shares: 2,
      joins: 7,
      bySharer: [{ sharerId: sharer.auth.user.id, shares: 2, joins: 7 }],
    });
    expect((await http(a, 'GET', `/api/lives/${liveId}/shares`, undefined, sharer.auth.token)).status).toBe(
      403,
    );
    for (const s of socks) s.close();
    sharer.close();
  });
});
