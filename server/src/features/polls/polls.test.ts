import type { Poll, PollSnapshot } from '@lc/contracts/poll.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestOn, joinAs, type RoomClient } from '../../../../test/interaction';
import {
  call,
  hostWithLive,
  sharedEnv,
  startServer,
  type TestServer,
  waitFor,
} from '../../../../test/server';

describe('polls', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startServer({ ledger: 'postgres' });
    b = await startServer({ env: sharedEnv(a) });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('counts 500 concurrent voters on two nodes exactly, one vote each, and closes on the server clock', async () => {
    const { liveId, host } = await hostWithLive(a);
    const hostC = await joinAs(a, host, liveId);
    const voters = await Promise.all(
      Array.from({ length: 500 }, async (_, i) =>
        joinAs(i % 2 ? a : b, await guestOn(a, `voter${i}`), liveId),
      ),
    );
    const created = await call<{ poll: Poll }>(hostC.socket, 'poll:create', {
      liveId,
      question: '下一个上架哪款? Which one next?',
      options: ['口红 💄', 'Sneakers', 'Tea 🍵'],
      durationSec: 5,
    });
    if (!created.ok) throw new Error(created.error.code);
    const poll = created.data.poll;
    expect(poll.closesAt - poll.openedAt).toBe(5000);
    expect(
      await call(hostC.socket, 'poll:create', {
        liveId,
        question: 'two?',
        options: ['a', 'b'],
        durationSec: 5,
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'POLL_ALREADY_OPEN' },
    });
    const choice = (i: number) => (i % 7 === 0 ? 2 : i % 3 === 0 ? 1 : 0);
    const expected = [0, 0, 0];
    for (let i = 0; i < voters.length; i++) expected[choice(i)]!++;
    // everyone votes twice at once: exactly one of each pair counts
    const results = await Promise.all(
      voters.flatMap((v, i) =>
        [0, 1].map(() => call(v.socket, 'poll:vote', { liveId, pollId: poll.id, option: choice(i) })),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(500);
    expect(results.filter((r) => !r.ok && r.error.code === 'ALREADY_VOTED')).toHaveLength(500);
    // the bounded-rate tally broadcast reaches viewers on both nodes with the exact counts
    const lastTally = (c: RoomClient) =>
      (c.facts.get('poll:tally') as { tallies: number[] }[] | undefined)?.at(-1)?.tallies;
    await waitFor(
      () =>
        [voters[0]!, voters[1]!, hostC].every(
          (c) => JSON.stringify(lastTally(c)) === JSON.stringify(expected),
        ),
      5000,
      'tallies',
    );
    // closes at its deadline without anyone asking: one poll:closed event with the final tallies
    await waitFor(() => hostC.ofType('poll:closed').length === 1, 10_000, 'poll closed on the server clock');
    const closed = hostC.ofType<Poll>('poll:closed')[0]!;
    expect(closed).toMatchObject({ id: poll.id, status: 'closed', tallies: expected, total: 500 });
    const late = await call(voters[3]!.socket, 'poll:vote', { liveId, pollId: poll.id, option: 0 });
    expect(late).toMatchObject({ ok: false, error: { code: 'POLL_CLOSED' } });
    const fresh = await joinAs(b, await guestOn(b), liveId);
    expect(await call(fresh.socket, 'poll:vote', { liveId, pollId: poll.id, option: 0 })).toMatchObject({
      ok: false,
      error: { code: 'POLL_CLOSED' },
    });
    expect((fresh.snapshot.features.poll as PollSnapshot).poll).toMatchObject({
      status: 'closed',
      total: 500,
    });
    // results and every vote in the ledger, once
    const { db } = a.built.deps;
    const row = await waitFor(
      async () =>
        (
          await db.query<{ tallies: number[]; total_votes: number }>(
            'SELECT tallies, total_votes FROM polls WHERE id = $1 AND closed_at IS NOT NULL',
            [poll.id],
          )
        ).rows[0],
      5000,
      'poll result row',
    );
    expect(row).toEqual({ tallies: expected, total_votes: 500 });
    const votes = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM poll_votes WHERE poll_id = $1',
      [poll.id],
    );
    expect(votes.rows[0]!.n).toBe(500);
    for (const c of [hostC, fresh, ...voters]) c.close();
  }, 60_000);

  it('lets the host close early; refuses bad options, unknown polls and non-hosts', async () => {
    const { liveId, host } = await hostWithLive(a);
    const hostC = await joinAs(a, host, liveId);
    const v = await joinAs(b, await guestOn(b), liveId);
    const bad = await call(hostC.socket, 'poll:create', {
      liveId,
      question: 'q',
      options: ['only one'],
      durationSec: 30,
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const created = await call<{ poll: Poll }>(hostC.socket, 'poll:create', {
      liveId,
      question: 'q',
      options: ['a', 'b'],
      durationSec: 600,
    });
    if (!created.ok) throw new Error('create failed');
    const pollId = created.data.poll.id;
    expect(await call(v.socket, 'poll:vote', { liveId, pollId, option: 3 })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
    expect(
      await call(v.socket, 'poll:vote', {
        liveId,
        pollId: '00000000-0000-4000-8000-000000000000',
        option: 0,
      }),
    ).toMatchObject({ ok: false, error: { code: 'POLL_NOT_FOUND' } });
    expect(await call(v.socket, 'poll:vote', { liveId, pollId, option: 1 })).toMatchObject({ ok: true });
    expect(await call(v.socket, 'poll:close', { liveId, pollId })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    const closed = await call<{ poll: Poll }>(hostC.socket, 'poll:close', { liveId, pollId });
    expect(closed).toMatchObject({
      ok: true,
      data: { poll: { status: 'closed', tallies: [0, 1], total: 1 } },
    });
    await waitFor(() => v.ofType('poll:closed').length === 1, 5000, 'closed event');
    const again = await call(hostC.socket, 'poll:close', { liveId, pollId });
    expect(again).toMatchObject({ ok: true, data: { poll: { status: 'closed', total: 1 } } });
    await waitFor(() => v.ofType('poll:closed').length === 1, 5000, 'still one closed event');
    // and a new poll can open
    const next = await call(hostC.socket, 'poll:create', {
      liveId,
      question: 'next',
      options: ['x', 'y'],
      durationSec: 60,
    });
    expect(next.ok).toBe(true);
    hostC.close();
    v.close();
  });
});
