import type { JoinResult } from '@lc/contracts/room.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  connect,
  guest,
  hostWithLive,
  startServer,
  type TestClient,
  type TestServer,
} from '../../../test/server';

describe('socket handler contract', () => {
  let s: TestServer;
  let liveId: string;
  let hostToken: string;
  let viewer: TestClient;
  beforeAll(async () => {
    s = await startServer();
    const h = await hostWithLive(s);
    liveId = h.liveId;
    hostToken = h.host.token;
    viewer = await connect(s, (await guest(s)).token);
  });
  afterAll(async () => {
    viewer?.close();
    await s.close();
  });

  const malformed: unknown[] = [
    undefined,
    null,
    42,
    'x',
    [],
    {},
    { liveId: 'not-a-uuid' },
    { liveId: 123, lastSeq: -1 },
  ];

  const gated = () => s.built.handlers.filter((h) => h.roles && !h.roles.includes('viewer'));

  it('acks VALIDATION for malformed payloads on every event open to viewers, and the connection keeps working', async () => {
    const events = s.built.handlers.filter((h) => !gated().includes(h)).map((h) => h.event);
    expect(events.length).toBeGreaterThanOrEqual(5);
    for (const event of events) {
      for (const payload of malformed) {
        const res = await call(viewer, event, payload);
        expect(res, `${event} ${JSON.stringify(payload)}`).toMatchObject({
          ok: false,
          error: { code: 'VALIDATION' },
        });
      }
    }
    expect(viewer.connected).toBe(true);
    const ok = await call<JoinResult>(viewer, 'live:join', { liveId });
    expect(ok.ok).toBe(true);
  });

  it('answers FORBIDDEN, never VALIDATION, to a viewer on staff and host events whatever the payload', async () => {
    expect(gated().length).toBeGreaterThanOrEqual(20);
    for (const { event } of gated()) {
      for (const payload of [...malformed, { liveId }, { liveId, text: 'x'.repeat(5000), extra: [1] }]) {
        const res = await call(viewer, event, payload);
        expect(res, `${event} ${JSON.stringify(payload)}`).toMatchObject({
          ok: false,
          error: { code: 'FORBIDDEN' },
        });
      }
    }
    expect(viewer.connected).toBe(true);
  });

  it('validates the payload of a staff or host event once the caller holds the role', async () => {
    const wrongTypes = Object.fromEntries(
      ['text', 'userId', 'commentId', 'slowModeSec', 'question', 'threshold', 'goalId', 'pollId']
        .concat(['lotteryId', 'productId', 'questionId', 'title', 'approve', 'on', 'durationSec'])
        .map((k) => [k, { not: 'this' }]),
    );
    const host = await connect(s, hostToken);
    for (const { event } of gated()) {
      if (event === 'live:start' || event === 'live:end' || event === 'mod:unpin') continue; // { liveId } is all they take
      const res = await call(host, event, { liveId, ...wrongTypes });
      expect(res, event).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    // No live named: the caller holds no role there.
    expect(await call(host, 'poll:create', { question: 'q?' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    host.close();
  });

  it('tolerates a command sent without an ack callback', async () => {
    viewer.emit('live:join', { liveId: 'nope' } as never);
    (viewer as unknown as { emit(e: string): void }).emit('live:leave');
    const res = await call(viewer, 'live:leave', { liveId });
    expect(res.ok).toBe(true);
  });

  /** A valid payload per staff-only event (the viewer is refused before validation anyway); default `{liveId, text}`. */
  const validPayload: Record<string, (liveId: string) => unknown> = {
    'comment:delete': (id) => ({ liveId: id, commentId: 'c_0123456789ab' }),
    'comment:review': (id) => ({ liveId: id, commentId: 'c_0123456789ab', approve: true }),
    'chat:settings': (id) => ({ liveId: id, slowModeSec: 10 }),
    'mod:appoint': (id) => ({ liveId: id, userId: 'g_someone' }),
    'mod:revoke': (id) => ({ liveId: id, userId: 'g_someone' }),
    'mod:mute': (id) => ({ liveId: id, userId: 'g_someone', durationSec: 60 }),
    'mod:unmute': (id) => ({ liveId: id, userId: 'g_someone' }),
    'mod:ban': (id) => ({ liveId: id, userId: 'g_someone' }),
    'mod:unban': (id) => ({ liveId: id, userId: 'g_someone' }),
    'mod:shadow': (id) => ({ liveId: id, userId: 'g_someone', on: true }),
    'mod:pin': (id) => ({ liveId: id, text: 'hello' }),
    'mod:unpin': (id) => ({ liveId: id }),
    'like:goal:add': (id) => ({ liveId: id, threshold: 100 }),
    'like:goal:remove': (id) => ({ liveId: id, goalId: 'g_0123456789' }),
    'qa:moderate': (id) => ({
      liveId: id,
      questionId: '00000000-0000-4000-8000-000000000000',
      action: 'pin',
    }),
    'poll:create': (id) => ({ liveId: id, question: 'q?', options: ['a', 'b'], durationSec: 60 }),
    'poll:close': (id) => ({ liveId: id, pollId: '00000000-0000-4000-8000-000000000000' }),
    'lottery:create': (id) => ({
      liveId: id,
      title: 'Giveaway',
      prize: { kind: 'coupon', couponId: 'cp_1' },
      winners: 1,
      durationSec: 60,
    }),
    'lottery:draw': (id) => ({ liveId: id, lotteryId: '00000000-0000-4000-8000-000000000000' }),
  };

  it('answers FORBIDDEN to a viewer for every host-only event', async () => {
    const hostOnly = s.built.handlers.filter((h) => h.roles && !h.roles.includes('viewer'));
    expect(hostOnly.map((h) => h.event)).toEqual(
      expect.arrayContaining(['live:announce', 'live:start', 'live:end']),
    );
    for (const h of hostOnly) {
      const res = await call(viewer, h.event, validPayload[h.event]?.(liveId) ?? { liveId, text: 'hello' });
      expect(res, h.event).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    // and the live is untouched
    const host = await connect(s, hostToken);
    const join = await call<JoinResult>(host, 'live:join', { liveId });
    expect(join.ok && join.data.mode === 'snapshot' && join.data.snapshot.live.status).toBe('live');
    expect(join.ok && join.data.mode === 'snapshot' && join.data.snapshot.role).toBe('host');
    host.close();
  });

  it('answers FORBIDDEN to a host account for host events on a live it does not own', async () => {
    const other = await hostWithLive(s);
    const sock = await connect(s, other.host.token);
    const res = await call(sock, 'live:end', { liveId });
    expect(res).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    sock.close();
  });

  it('answers LIVE_NOT_FOUND for a live that does not exist', async () => {
    const res = await call(viewer, 'live:join', { liveId: '00000000-0000-4000-8000-000000000000' });
    expect(res).toMatchObject({ ok: false, error: { code: 'LIVE_NOT_FOUND' } });
  });
});
