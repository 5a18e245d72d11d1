import type { AuthResponse } from '@lc/contracts/auth.schema';
import type { Comment, CommentSendResult, CommentsSnapshot } from '@lc/contracts/comment.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allReach, guestOn, joinAs, type RoomClient } from '../../../../test/interaction';
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

type Ok<T> = { ok: true; data: T };
type Fail = { ok: false; error: { code: string; message: string; details?: Record<string, unknown> } };

const send = (c: RoomClient, liveId: string, text: string) =>
  call<CommentSendResult>(c.socket, 'comment:send', { liveId, text }) as Promise<
    Ok<CommentSendResult> | Fail
  >;
const texts = (c: RoomClient) => c.ofType<Comment>('comment:new').map((x) => x.text);

describe('comments', () => {
  let a: TestServer;
  let b: TestServer;
  let liveId: string;
  let host: AuthResponse;
  let hostA: RoomClient;
  beforeAll(async () => {
    a = await startServer({
      ledger: 'postgres',
      env: { COMMENT_RATE_COUNT: '5', COMMENT_RATE_WINDOW_MS: '60000' },
    });
    b = await startServer({
      env: { ...sharedEnv(a), COMMENT_RATE_COUNT: '5', COMMENT_RATE_WINDOW_MS: '60000' },
    });
    ({ liveId, host } = await hostWithLive(a));
    hostA = await joinAs(a, host, liveId);
  });
  afterAll(async () => {
    hostA?.close();
    await Promise.all([a?.close(), b?.close()]);
  });

  it('delivers a trimmed plain-text comment to viewers on both nodes in frames with seq, and to later snapshots', async () => {
    const v1 = await joinAs(a, await guestOn(a, '<b>v1</b>'), liveId);
    const v2 = await joinAs(b, await guestOn(b, 'v2 🐱'), liveId);
    const markup = '  <script>alert(1)</script><img src=x onerror="x()"> 你好 👋\n ';
    const res = await send(v1, liveId, markup);
    expect(res.ok && res.data.status).toBe('published');
    if (!res.ok) throw new Error('send failed');
    const expected = '<script>alert(1)</script><img src=x onerror="x()"> 你好 👋';
    expect(res.data.comment).toMatchObject({ text: expected, by: { name: '<b>v1</b>', role: 'viewer' } });
    await waitFor(() => texts(v2).includes(expected), 5000, 'comment on node B');
    const ev = v2.events.find((e) => e.type === 'comment:new')!;
    expect(ev.seq).toBeGreaterThan(v2.snapshot.seq);
    expect(ev.data).toMatchObject({ id: res.data.comment.id, text: expected });
    const late = await joinAs(b, await guestOn(b, 'late'), liveId);
    const snap = late.snapshot.features.comments as CommentsSnapshot;
    expect(snap.recent.at(-1)).toMatchObject({ id: res.data.comment.id, text: expected, seq: ev.seq });
    for (const c of [v1, v2, late]) c.close();
  });

  it('counts the length limit in code points (CJK and emoji) and refuses empty text', async () => {
    const small = await startServer({ env: { COMMENT_MAX_CHARS: '5' } });
    try {
      const { liveId: id } = await hostWithLive(small);
      const v = await joinAs(small, await guestOn(small), id);
      expect((await send(v, id, '👍👍👍👍👍')).ok).toBe(true);
      expect((await send(v, id, '直播间好 ')).ok).toBe(true);
      expect(await send(v, id, '直播间好啊!')).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
      expect(await send(v, id, '   \n\t ')).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
      v.close();
    } finally {
      await small.close();
    }
  });

  it('limits each viewer’s rate with RATE_LIMITED and a retry-after, across nodes; the host is exempt', async () => {
    const auth = await guestOn(a, 'chatty');
    const onA = await joinAs(a, auth, liveId);
    const onB = await joinAs(b, auth, liveId);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => send(i % 2 ? onA : onB, liveId, `msg ${i}`)),
    );
    const ok = results.filter((r) => r.ok);
    const limited = results.filter((r): r is Fail => !r.ok);
    expect(ok).toHaveLength(5);
    expect(limited).toHaveLength(3);
    for (const r of limited) {
      expect(r.error.code).toBe('RATE_LIMITED');
      expect(r.error.details?.retryAfterMs).toBeGreaterThan(0);
      expect(r.error.details?.retryAfterMs).toBeLessThanOrEqual(12_000);
    }
    const hostResults = await Promise.all(
      Array.from({ length: 12 }, (_, i) => send(hostA, liveId, `host ${i}`)),
    );
    expect(hostResults.every((r) => r.ok)).toBe(true);
    onA.close();
    onB.close();
  });

  it('applies slow mode to viewers only and announces the setting to the room', async () => {
    const { liveId: id, host: h } = await hostWithLive(a);
    const hostC = await joinAs(a, h, id);
    const v = await joinAs(b, await guestOn(b), id);
    const set = await call(hostC.socket, 'chat:settings', { liveId: id, slowModeSec: 30 });
    expect(set).toMatchObject({ ok: true, data: { slowModeSec: 30, followersOnly: false } });
    await waitFor(() => v.ofType('chat:settings').length === 1, 5000, 'settings event');
    expect((await send(v, id, 'first')).ok).toBe(true);
    const second = await send(v, id, 'second');
    expect(second).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED', details: { reason: 'slow-mode' } },
    });
    const wait = (second as Fail).error.details!.retryAfterMs as number;
    expect(wait).toBeGreaterThan(25_000);
    expect(wait).toBeLessThanOrEqual(30_000);
    expect((await send(hostC, id, 'host one')).ok).toBe(true);
    expect((await send(hostC, id, 'host two')).ok).toBe(true);
    const forbidden = await call(v.socket, 'chat:settings', { liveId: id, slowModeSec: 0 });
    expect(forbidden).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    hostC.close();
    v.close();
  });

  it('blocks, masks and holds by keyword lists on Chinese text without spaces and mixed zh/en/emoji', async () => {
    const { liveId: id, host: h } = await hostWithLive(a);
    const hostC = await joinAs(a, h, id);
    const v = await joinAs(b, await guestOn(b, 'v'), id);
    const other = await joinAs(a, await guestOn(a, 'other'), id);
    const put = (name: string, body: unknown, token = h.token) =>
      http(a, 'PUT', `/api/lives/${id}/keywords/${name}`, body, token);
    const filler = Array.from({ length: 3000 }, (_, i) => `填充词${i}`);
    expect((await put('spam', { action: 'block', terms: ['加微信', 'SCAM', ...filler] })).status).toBe(200);
    expect((await put('rude', { action: 'mask', terms: ['傻瓜', 'dumb'] })).status).toBe(200);
    expect((await put('links', { action: 'hold', terms: ['链接'] })).status).toBe(200);
    expect((await put('x', { action: 'block', terms: ['y'] }, v.auth.token)).status).toBe(403);

    // node B applies lists written through node A
    expect(await send(v, id, '朋友们加微信领红包🧧')).toMatchObject({
      ok: false,
      error: { code: 'COMMENT_BLOCKED' },
    });
    expect(await send(v, id, 'big scam🔥')).toMatchObject({ ok: false, error: { code: 'COMMENT_BLOCKED' } });
    const masked = await send(v, id, '你这个傻瓜🙄 so DUMB');
    expect(masked.ok && masked.data.comment.text).toBe('你这个**🙄 so ****');
    const held = await send(v, id, '看我的链接吧');
    expect(held.ok && held.data.status).toBe('held');
    if (!held.ok) throw new Error('hold failed');
    await waitFor(() => hostC.facts.get('comment:held')?.length === 1, 5000, 'held notice to staff');
    expect(other.facts.get('comment:held')).toBeUndefined();
    const queue = await http<{ comments: Comment[] }>(
      a,
      'GET',
      `/api/lives/${id}/comments/held`,
      undefined,
      h.token,
    );
    expect(queue.body.comments.map((c) => c.id)).toEqual([held.data.comment.id]);

    const marker = await send(hostC, id, 'marker');
    if (!marker.ok) throw new Error('marker failed');
    await waitFor(() => texts(other).includes('marker'), 5000, 'marker');
    expect(texts(other)).toEqual(['你这个**🙄 so ****', 'marker']);

    const approve = await call(hostC.socket, 'comment:review', {
      liveId: id,
      commentId: held.data.comment.id,
      approve: true,
    });
    expect(approve).toMatchObject({ ok: true, data: { published: true } });
    await waitFor(() => texts(other).includes('看我的链接吧'), 5000, 'approved comment');
    const again = await call(hostC.socket, 'comment:review', {
      liveId: id,
      commentId: held.data.comment.id,
      approve: false,
    });
    expect(again).toMatchObject({ ok: false, error: { code: 'COMMENT_NOT_FOUND' } });

    // removing a list applies at once on the other node
    expect((await http(a, 'DELETE', `/api/lives/${id}/keywords/spam`, undefined, h.token)).status).toBe(200);
    expect(await send(v, id, '加微信')).toMatchObject({ ok: true });
    const lists = await http<{ lists: { name: string }[] }>(
      a,
      'GET',
      `/api/lives/${id}/keywords`,
      undefined,
      h.token,
    );
    expect(lists.body.lists.map((l) => l.name)).toEqual(['links', 'rude']);
    for (const c of [hostC, v, other]) c.close();
  });

  it('gates followers-only and buyers-only chat, and says that nobody is a buyer yet', async () => {
    const { liveId: id, host: h } = await hostWithLive(a);
    const hostC = await joinAs(a, h, id);
    const v = await joinAs(b, await guestOn(b), id);
    await call(hostC.socket, 'chat:settings', { liveId: id, followersOnly: true });
    expect(await send(v, id, 'hi')).toMatchObject({ ok: false, error: { code: 'CHAT_RESTRICTED' } });
    const { keys } = a.built.deps;
    await a.built.deps.redis.sadd(keys.followers(h.user.id), v.auth.user.id);
    expect((await send(v, id, 'hi as follower')).ok).toBe(true);
    await call(hostC.socket, 'chat:settings', { liveId: id, followersOnly: false, buyersOnly: true });
    const refused = await send(v, id, 'hi');
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'CHAT_RESTRICTED', details: { gate: 'buyers' } },
    });
    expect((refused as Fail).error.message).toMatch(/only buyers/);
    expect((await send(hostC, id, 'staff always')).ok).toBe(true);
    hostC.close();
    v.close();
  });

  it('refuses comments from sockets that have not joined, and after the live ended', async () => {
    const { liveId: id, host: h } = await hostWithLive(a);
    const sock = await connect(a, (await guestOn(a)).token);
    expect(await call(sock, 'comment:send', { liveId: id, text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_JOINED' },
    });
    sock.close();
    const v = await joinAs(a, await guestOn(a), id);
    await http(a, 'POST', `/api/lives/${id}/end`, undefined, h.token);
    expect(await send(v, id, 'too late')).toMatchObject({ ok: false, error: { code: 'LIVE_ENDED' } });
    v.close();
  });

  it('samples viewer comments above the room capacity but never the host’s', async () => {
    const capped = await startServer({ env: { COMMENT_ROOM_MAX_PER_SEC: '3' } });
    try {
      const { liveId: id, host: h } = await hostWithLive(capped);
      const hostC = await joinAs(capped, h, id);
      const viewers = await Promise.all(
        Array.from({ length: 12 }, async (_, i) => joinAs(capped, await guestOn(capped, `v${i}`), id)),
      );
      const acks = await Promise.all(viewers.map((v, i) => send(v, id, `v${i}`)));
      expect(acks.every((r) => r.ok && r.data.status === 'published')).toBe(true);
      const hostAcks = await Promise.all(Array.from({ length: 5 }, (_, i) => send(hostC, id, `host ${i}`)));
      expect(hostAcks.every((r) => r.ok)).toBe(true);
      await waitFor(
        () => texts(hostC).filter((t) => t.startsWith('host')).length === 5,
        5000,
        'host comments',
      );
      const published = texts(hostC).filter((t) => t.startsWith('v'));
      // 12 offered within at most two epoch seconds: at most 2 × 3 published
      expect(published.length).toBeGreaterThanOrEqual(3);
      expect(published.length).toBeLessThanOrEqual(6);
      for (const c of [hostC, ...viewers]) c.close();
    } finally {
      await capped.close();
    }
  });

  it('keeps seq order for a burst of comments from 50 viewers on two nodes (no gaps)', async () => {
    const { liveId: id } = await hostWithLive(a);
    const viewers = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => joinAs(i % 2 ? a : b, await guestOn(a, `v${i}`), id)),
    );
    const acks = await Promise.all(viewers.map((v, i) => send(v, id, `burst ${i}`)));
    expect(acks.every((r) => r.ok)).toBe(true);
    const last = Math.max(...viewers.map((v) => v.snapshot.seq)) + 50;
    await allReach(viewers, last, 'burst');
    for (const v of viewers) {
      expect(texts(v).filter((t) => t.startsWith('burst'))).toHaveLength(50);
      expect(v.tracker.waiting).toBe(0);
    }
    for (const v of viewers) v.close();
  });
});
