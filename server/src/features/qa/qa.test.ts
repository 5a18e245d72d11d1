import type { QaSnapshot, Question } from '@lc/contracts/qa.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestOn, joinAs } from '../../../../test/interaction';
import {
  call,
  hostWithLive,
  http,
  sharedEnv,
  startServer,
  type TestServer,
  waitFor,
} from '../../../../test/server';

describe('Q&A', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    const env = { QUESTION_RATE_COUNT: '3', QUESTION_RATE_WINDOW_MS: '60000', COUNTERS_BROADCAST_MS: '100' };
    a = await startServer({ ledger: 'postgres', env });
    b = await startServer({ env: { ...sharedEnv(a), ...env } });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('asks with limits, upvotes once per user (toggle), orders by votes then time, and moderates', async () => {
    const { liveId, host } = await hostWithLive(a);
    const hostC = await joinAs(a, host, liveId);
    const asker = await joinAs(b, await guestOn(b, 'asker'), liveId);
    const ask = (text: string) => call<{ question: Question }>(asker.socket, 'qa:ask', { liveId, text });
    const q1 = await ask(' 这个口红什么色号? ');
    const q2 = await ask('Ships to Canada? 🇨🇦');
    const q3 = await ask('<img src=x onerror=alert(1)>');
    if (!q1.ok || !q2.ok || !q3.ok) throw new Error('ask failed');
    expect(q1.data.question).toMatchObject({
      text: '这个口红什么色号?',
      votes: 0,
      status: 'open',
      pinned: false,
    });
    const limited = await ask('one more');
    expect(limited).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect(
      (limited as { error: { details: { retryAfterMs: number } } }).error.details.retryAfterMs,
    ).toBeGreaterThan(0);
    expect(await call(asker.socket, 'qa:ask', { liveId, text: 'x'.repeat(301) })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
    await waitFor(() => hostC.ofType('qa:asked').length === 3, 5000, 'asked events');

    // 20 voters on two nodes upvote q2 at once (each twice: the second toggles it back for half of them)
    const voters = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => joinAs(i % 2 ? a : b, await guestOn(a, `v${i}`), liveId)),
    );
    const v = (i: number, id: string) =>
      call<{ voted: boolean; votes: number }>(voters[i]!.socket, 'qa:vote', { liveId, questionId: id });
    await Promise.all(voters.map((_, i) => v(i, q2.data.question.id)));
    await Promise.all(voters.slice(0, 10).map((_, i) => v(i, q2.data.question.id)));
    const toggled = await v(0, q3.data.question.id);
    expect(toggled).toMatchObject({ ok: true, data: { voted: true, votes: 1 } });
    const list = await http<{ questions: Question[] }>(
      a,
      'GET',
      `/api/lives/${liveId}/questions`,
      undefined,
      host.token,
    );
    expect(list.body.questions.map((q) => [q.text, q.votes])).toEqual([
      ['Ships to Canada? 🇨🇦', 10],
      ['<img src=x onerror=alert(1)>', 1],
      ['这个口红什么色号?', 0],
    ]);
    // vote counts reach the room coalesced (far fewer events than votes), the last one exact
    await waitFor(
      () =>
        hostC
          .ofType<{ votes: Record<string, number> }>('qa:votes')
          .some((e) => e.votes[q2.data.question.id] === 10),
      5000,
      'coalesced vote counts',
    );
    expect(hostC.ofType('qa:votes').length).toBeLessThan(31);

    // moderation: pin (one at a time), answer, dismiss; viewers can't
    expect(
      await call(voters[0]!.socket, 'qa:moderate', {
        liveId,
        questionId: q1.data.question.id,
        action: 'pin',
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    const mod = (questionId: string, action: string) =>
      call<{ question: Question }>(hostC.socket, 'qa:moderate', { liveId, questionId, action });
    await mod(q3.data.question.id, 'pin');
    expect(await mod(q1.data.question.id, 'pin')).toMatchObject({
      ok: true,
      data: { question: { pinned: true } },
    });
    expect(await mod(q2.data.question.id, 'answer')).toMatchObject({
      ok: true,
      data: { question: { status: 'answered' } },
    });
    await mod(q3.data.question.id, 'dismiss');
    const snap = await joinAs(a, voters[15]!.auth, liveId); // voted once, kept it
    const qa = snap.snapshot.features.qa as QaSnapshot;
    expect(qa.questions.map((q) => [q.text, q.pinned, q.status])).toEqual([
      ['这个口红什么色号?', true, 'open'],
      ['Ships to Canada? 🇨🇦', false, 'answered'],
    ]);
    expect(qa.myVotes).toEqual([q2.data.question.id]);
    expect(await v(2, q3.data.question.id)).toMatchObject({
      ok: false,
      error: { code: 'QUESTION_NOT_FOUND' },
    });
    // the ledger keeps one row per vote
    const rows = await a.built.deps.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM question_votes WHERE question_id = $1',
      [q2.data.question.id],
    );
    expect(rows.rows[0]!.n).toBe(10);

    // Votes cast before the Redis voters set existed (key lost): the snapshot asks the ledger and refills it.
    const { redis, keys } = a.built.deps;
    await redis.del(keys.qaVoters(liveId));
    const rejoined = await joinAs(b, voters[15]!.auth, liveId);
    expect((rejoined.snapshot.features.qa as QaSnapshot).myVotes).toEqual([q2.data.question.id]);
    await waitFor(
      async () => (await redis.sismember(keys.qaVoters(liveId), '*')) === 1,
      3000,
      'voters refill',
    );
    expect(await redis.sismember(keys.qaVoters(liveId), voters[15]!.auth.user.id)).toBe(1);
    const fresh = await joinAs(a, await guestOn(a, 'late'), liveId);
    expect((fresh.snapshot.features.qa as QaSnapshot).myVotes).toEqual([]);
    for (const c of [hostC, asker, snap, rejoined, fresh, ...voters]) c.close();
  });
});
