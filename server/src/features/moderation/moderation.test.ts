import type { Comment, CommentSendResult, CommentsSnapshot } from '@lc/contracts/comment.schema';
import type { ModerationAction, ModerationSnapshot } from '@lc/contracts/moderation.schema';
import type { JoinResult } from '@lc/contracts/room.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allReach, deviceId, guestOn, joinAs, type RoomClient } from '../../../../test/interaction';
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

type Res<T> =
  | { ok: true; data: T }
  | { ok: false; error: { code: string; message: string; details?: unknown } };

const send = (c: RoomClient, liveId: string, text: string) =>
  call<CommentSendResult>(c.socket, 'comment:send', { liveId, text }) as Promise<Res<CommentSendResult>>;
const texts = (c: RoomClient) => c.ofType<Comment>('comment:new').map((x) => x.text);
const sent = async (c: RoomClient, liveId: string, text: string) => {
  const r = await send(c, liveId, text);
  if (!r.ok) throw new Error(`send failed: ${r.error.code}`);
  return r.data.comment;
};

describe('moderation', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startServer({ ledger: 'postgres' });
    b = await startServer({ env: sharedEnv(a) });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  /** A live with its host joined on node A and viewers joined on both nodes. */
  async function room(viewers = 2) {
    const { liveId, host } = await hostWithLive(a);
    const hostC = await joinAs(a, host, liveId);
    const vs = await Promise.all(
      Array.from({ length: viewers }, async (_, i) => {
        const node = i % 2 ? a : b;
        return joinAs(node, await guestOn(node, `viewer${i}`, deviceId()), liveId);
      }),
    );
    return {
      liveId,
      host,
      hostC,
      vs,
      close: () => {
        for (const c of [hostC, ...vs]) c.close();
      },
    };
  }

  it('deletes a comment on every viewer, from the snapshot and from replays', async () => {
    const r = await room(3);
    const [v0, v1, v2] = r.vs as [RoomClient, RoomClient, RoomClient];
    const lastSeqBefore = v2.tracker.seq;
    const bad = await sent(v0, r.liveId, 'delete me 删除');
    const keep = await sent(v1, r.liveId, 'keep me');
    await waitFor(() => r.vs.every((v) => texts(v).includes('keep me')), 5000, 'both comments');
    const del = await call(r.hostC.socket, 'comment:delete', { liveId: r.liveId, commentId: bad.id });
    expect(del).toMatchObject({ ok: true, data: { deleted: true } });
    await waitFor(
      () => r.vs.every((v) => v.ofType<{ id: string }>('comment:deleted').some((d) => d.id === bad.id)),
      5000,
      'deletion on every viewer',
    );
    const again = await call(r.hostC.socket, 'comment:delete', { liveId: r.liveId, commentId: bad.id });
    expect(again).toMatchObject({ ok: true, data: { deleted: false } });
    // a new viewer's snapshot holds neither the comment nor its text anywhere
    const late = await joinAs(b, await guestOn(b), r.liveId);
    expect(JSON.stringify(late.snapshot)).not.toContain('delete me');
    const recent = (late.snapshot.features.comments as CommentsSnapshot).recent.map((c) => c.id);
    expect(recent).toContain(keep.id);
    expect(recent).not.toContain(bad.id);
    // a client resuming from before the comment replays a tombstone in its place
    const resumed = await connect(a, v2.auth.token);
    const replay = await call<JoinResult>(resumed, 'live:join', { liveId: r.liveId, lastSeq: lastSeqBefore });
    if (!replay.ok || replay.data.mode !== 'replay') throw new Error('expected a replay');
    expect(JSON.stringify(replay.data.events)).not.toContain('delete me');
    expect(
      replay.data.events.find((e) => (e.data as { id?: string }).id === bad.id && e.type === 'comment:new'),
    ).toMatchObject({ data: { id: bad.id, deleted: true } });
    const missing = await call(r.hostC.socket, 'comment:delete', {
      liveId: r.liveId,
      commentId: 'c_nosuchcomment0',
    });
    expect(missing).toMatchObject({ ok: false, error: { code: 'COMMENT_NOT_FOUND' } });
    expect(await call(v1.socket, 'comment:delete', { liveId: r.liveId, commentId: keep.id })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    resumed.close();
    late.close();
    r.close();
  });

  it('shadow-bans: the sender sees their own comment (ack and snapshot), nobody else does', async () => {
    const r = await room(3);
    const [shadowed, v1, v2] = r.vs as [RoomClient, RoomClient, RoomClient];
    const on = await call(r.hostC.socket, 'mod:shadow', {
      liveId: r.liveId,
      userId: shadowed.auth.user.id,
      on: true,
    });
    expect(on).toMatchObject({ ok: true, data: { shadowed: true } });
    const res = await send(shadowed, r.liveId, 'can anyone see me?');
    expect(res).toMatchObject({
      ok: true,
      data: { status: 'published', comment: { text: 'can anyone see me?' } },
    });
    // frames are ordered: once a later comment reached everyone, the shadowed one can no longer arrive
    await sent(v1, r.liveId, 'after the shadowed one');
    await waitFor(
      () => [r.hostC, shadowed, v1, v2].every((c) => texts(c).includes('after the shadowed one')),
      5000,
      'marker comment',
    );
    for (const c of [r.hostC, shadowed, v1, v2]) expect(texts(c)).not.toContain('can anyone see me?');
    const own = await joinAs(a, shadowed.auth, r.liveId);
    expect((own.snapshot.features.comments as CommentsSnapshot).recent.map((c) => c.text)).toContain(
      'can anyone see me?',
    );
    const others = await joinAs(b, await guestOn(b), r.liveId);
    expect(JSON.stringify(others.snapshot)).not.toContain('can anyone see me?');
    await call(r.hostC.socket, 'mod:shadow', { liveId: r.liveId, userId: shadowed.auth.user.id, on: false });
    await sent(shadowed, r.liveId, 'visible again');
    await waitFor(() => texts(v2).includes('visible again'), 5000, 'comment after unshadow');
    own.close();
    others.close();
    r.close();
  });

  it('mutes for a duration; only the host acts on moderators; nobody acts on the host', async () => {
    const r = await room(2);
    const [v0, v1] = r.vs as [RoomClient, RoomClient];
    const mute = await call<{ until: number }>(r.hostC.socket, 'mod:mute', {
      liveId: r.liveId,
      userId: v0.auth.user.id,
      durationSec: 60,
    });
    expect(mute.ok).toBe(true);
    const refused = await send(v0, r.liveId, 'hello?');
    expect(refused).toMatchObject({ ok: false, error: { code: 'MUTED' } });
    expect((refused as { error: { details: { until: number } } }).error.details.until).toBe(
      mute.ok && mute.data.until,
    );
    expect(
      await call(r.hostC.socket, 'mod:unmute', { liveId: r.liveId, userId: v0.auth.user.id }),
    ).toMatchObject({
      ok: true,
      data: { unmuted: true },
    });
    expect((await send(v0, r.liveId, 'back')).ok).toBe(true);
    // a moderator can't mute the host or another moderator
    await call(r.hostC.socket, 'mod:appoint', { liveId: r.liveId, userId: v1.auth.user.id });
    await call(r.hostC.socket, 'mod:appoint', { liveId: r.liveId, userId: v0.auth.user.id });
    const onHost = await call(v1.socket, 'mod:mute', {
      liveId: r.liveId,
      userId: r.host.user.id,
      durationSec: 5,
    });
    expect(onHost).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const onMod = await call(v1.socket, 'mod:mute', {
      liveId: r.liveId,
      userId: v0.auth.user.id,
      durationSec: 5,
    });
    expect(onMod).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    r.close();
  });

  it('bans: disconnected on every node, rejoin refused for a new guest token from the same device', async () => {
    const r = await room(1);
    const device = deviceId();
    const target = await joinAs(b, await guestOn(b, 'troll', device), r.liveId);
    const second = await joinAs(a, target.auth, r.liveId); // a second tab, on the other node
    const disconnected = Promise.all(
      [target, second].map((c) => new Promise<void>((res) => c.socket.once('disconnect', () => res()))),
    );
    const ban = await call(r.hostC.socket, 'mod:ban', {
      liveId: r.liveId,
      userId: target.auth.user.id,
      reason: 'spam',
    });
    expect(ban).toMatchObject({ ok: true, data: { banned: true } });
    await disconnected;
    await waitFor(() => target.facts.get('room:closed')?.length, 5000, 'room:closed');
    expect(target.facts.get('room:closed')).toEqual([{ liveId: r.liveId, code: 'BANNED' }]);
    // same token, or a new guest session on the same device: refused, by socket and by REST
    await expect(joinAs(a, target.auth, r.liveId)).rejects.toMatchObject({ code: 'BANNED' });
    const fresh = await guestOn(a, 'troll again', device);
    expect(fresh.user.id).not.toBe(target.auth.user.id);
    await expect(joinAs(b, fresh, r.liveId)).rejects.toMatchObject({ code: 'BANNED' });
    const snap = await http<{ error: { code: string } }>(
      a,
      'GET',
      `/api/lives/${r.liveId}/snapshot`,
      undefined,
      fresh.token,
    );
    expect(snap.status).toBe(403);
    expect(snap.body.error.code).toBe('BANNED');
    // the limit, said plainly: a client that drops its device id looks like a new person
    const other = await joinAs(a, await guestOn(a, 'new device', deviceId()), r.liveId);
    // unban restores access
    await call(r.hostC.socket, 'mod:unban', { liveId: r.liveId, userId: target.auth.user.id });
    (await joinAs(a, fresh, r.liveId)).close();
    other.close();
    r.close();
  });

  it('appoints a moderator whose joined socket gains the role at once (any node); revoking takes it back', async () => {
    const r = await room(2);
    const [mod, v1] = r.vs as [RoomClient, RoomClient]; // mod joined on node B as a viewer
    const c = await sent(v1, r.liveId, 'moderate me');
    expect(await call(mod.socket, 'comment:delete', { liveId: r.liveId, commentId: c.id })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    const appoint = await call<{ moderators: string[] }>(r.hostC.socket, 'mod:appoint', {
      liveId: r.liveId,
      userId: mod.auth.user.id,
    });
    expect(appoint).toMatchObject({ ok: true, data: { moderators: [mod.auth.user.id] } });
    await waitFor(() => mod.facts.get('room:role')?.length, 5000, 'role notice');
    expect(mod.facts.get('room:role')).toEqual([{ liveId: r.liveId, role: 'moderator' }]);
    expect(await call(mod.socket, 'comment:delete', { liveId: r.liveId, commentId: c.id })).toMatchObject({
      ok: true,
      data: { deleted: true },
    });
    // joined the staff room through the adapter: sees held comments
    await http(
      a,
      'PUT',
      `/api/lives/${r.liveId}/keywords/hold`,
      { action: 'hold', terms: ['review'] },
      r.host.token,
    );
    await send(v1, r.liveId, 'please review this');
    await waitFor(() => mod.facts.get('comment:held')?.length, 5000, 'held notice to the new moderator');
    const snap = await joinAs(b, mod.auth, r.liveId);
    expect(snap.snapshot.role).toBe('moderator');
    expect((snap.snapshot.features.moderation as ModerationSnapshot).moderators).toEqual([mod.auth.user.id]);
    snap.close();
    expect(await call(v1.socket, 'mod:appoint', { liveId: r.liveId, userId: v1.auth.user.id })).toMatchObject(
      {
        ok: false,
        error: { code: 'FORBIDDEN' },
      },
    );
    await call(r.hostC.socket, 'mod:revoke', { liveId: r.liveId, userId: mod.auth.user.id });
    const c2 = await sent(v1, r.liveId, 'again');
    expect(await call(mod.socket, 'comment:delete', { liveId: r.liveId, commentId: c2.id })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    r.close();
  });

  it('pins an announcement for the room and for later snapshots, and unpins it', async () => {
    const r = await room(1);
    const pin = await call<{ seq: number }>(r.hostC.socket, 'mod:pin', {
      liveId: r.liveId,
      text: ' 今晚8点秒杀 <b>!</b> ',
    });
    expect(pin.ok).toBe(true);
    await allReach(r.vs, pin.ok ? pin.data.seq : 0, 'pin');
    expect(r.vs[0]!.ofType('announcement:pinned')).toMatchObject([{ text: '今晚8点秒杀 <b>!</b>' }]);
    const late = await joinAs(b, await guestOn(b), r.liveId);
    expect((late.snapshot.features.moderation as ModerationSnapshot).pinned).toMatchObject({
      text: '今晚8点秒杀 <b>!</b>',
    });
    expect(await call(r.hostC.socket, 'mod:unpin', { liveId: r.liveId })).toMatchObject({
      ok: true,
      data: { unpinned: true },
    });
    await waitFor(() => late.ofType('announcement:unpinned').length === 1, 5000, 'unpinned');
    late.close();
    r.close();
  });

  it('audits every action (who, what, whom, when), listable by the host only', async () => {
    const r = await room(2);
    const [v0, v1] = r.vs as [RoomClient, RoomClient];
    const c = await sent(v0, r.liveId, 'audited');
    const L = r.liveId;
    const h = r.hostC.socket;
    await call(h, 'mod:appoint', { liveId: L, userId: v1.auth.user.id });
    await call(v1.socket, 'comment:delete', { liveId: L, commentId: c.id });
    await call(v1.socket, 'mod:mute', { liveId: L, userId: v0.auth.user.id, durationSec: 30 });
    await call(v1.socket, 'mod:shadow', { liveId: L, userId: v0.auth.user.id, on: true });
    await call(h, 'mod:pin', { liveId: L, text: 'pinned' });
    await call(h, 'chat:settings', { liveId: L, slowModeSec: 5 });
    await call(h, 'mod:ban', { liveId: L, userId: v0.auth.user.id });
    const list = await http<{ actions: ModerationAction[] }>(
      a,
      'GET',
      `/api/lives/${L}/moderation/actions`,
      undefined,
      r.host.token,
    );
    expect(list.status).toBe(200);
    expect(list.body.actions.map((x) => [x.action, x.actorId, x.targetUserId])).toEqual([
      ['ban', r.host.user.id, v0.auth.user.id],
      ['settings', r.host.user.id, null],
      ['pin', r.host.user.id, null],
      ['shadow', v1.auth.user.id, v0.auth.user.id],
      ['mute', v1.auth.user.id, v0.auth.user.id],
      ['delete', v1.auth.user.id, v0.auth.user.id],
      ['appoint', r.host.user.id, v1.auth.user.id],
    ]);
    expect(list.body.actions.find((x) => x.action === 'delete')).toMatchObject({
      targetCommentId: c.id,
      actorName: 'viewer1',
    });
    expect(Date.parse(list.body.actions[0]!.at)).toBeGreaterThan(Date.now() - 60_000);
    const page = await http<{ actions: ModerationAction[] }>(
      a,
      'GET',
      `/api/lives/${L}/moderation/actions?limit=2&before=${list.body.actions[1]!.id}`,
      undefined,
      r.host.token,
    );
    expect(page.body.actions.map((x) => x.action)).toEqual(['pin', 'shadow']);
    const byMod = await http(a, 'GET', `/api/lives/${L}/moderation/actions`, undefined, v1.auth.token);
    expect(byMod.status).toBe(403);
    const mods = await http<{ moderators: string[] }>(
      b,
      'GET',
      `/api/lives/${L}/moderators`,
      undefined,
      r.host.token,
    );
    expect(mods.body.moderators).toEqual([v1.auth.user.id]);
    r.close();
  });
});
