import type { Poll } from '@lc/contracts/poll.schema';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { guestOn, joinAs } from '../../../../test/interaction';
import { call, hostWithLive, http, startServer, waitFor } from '../../../../test/server';
import { loadConfig } from '../../config';
import { buildWorker } from '../../worker-app';
import { pollsCloseStep } from './polls.jobs';

describe('end-of-live polls-close step', () => {
  it('closes a poll still open at the end with its exact tallies, once; no poll opens after the end', async () => {
    // Default ROOM_KEYS_RETAIN_SEC: the keys outlive the steps, so the reruns below meet the closed poll.
    const s = await startServer({ ledger: 'postgres' });
    const worker = await buildWorker(loadConfig(s.env), pino({ level: 'silent' }));
    const { db, redis, keys, scripts } = s.built.deps;
    try {
      const { liveId, host } = await hostWithLive(s);
      const hostC = await joinAs(s, host, liveId);
      const voters = await Promise.all(
        [0, 1, 2].map(async (i) => joinAs(s, await guestOn(s, `v${i}`), liveId)),
      );
      const created = await call<{ poll: Poll }>(hostC.socket, 'poll:create', {
        liveId,
        question: 'which?',
        options: ['a', 'b', 'c'],
        durationSec: 600,
      });
      if (!created.ok) throw new Error(created.error.code);
      const pollId = created.data.poll.id;
      for (const [i, option] of [0, 0, 1].entries()) {
        const r = await call(voters[i]!.socket, 'poll:vote', { liveId, pollId, option });
        expect(r.ok).toBe(true);
      }
      await http(s, 'POST', `/api/lives/${liveId}/end`, undefined, host.token);

      // The room hears the close with the final tallies, and the ledger holds them and every vote.
      const closed = await waitFor(() => hostC.ofType<Poll>('poll:closed')[0], 15_000, 'poll:closed');
      expect(closed).toMatchObject({ id: pollId, status: 'closed', tallies: [2, 1, 0], total: 3 });
      const row = await waitFor(
        async () =>
          (
            await db.query<{ tallies: number[]; total_votes: number }>(
              'SELECT tallies, total_votes FROM polls WHERE id = $1 AND closed_at IS NOT NULL',
              [pollId],
            )
          ).rows[0],
        15_000,
        'poll result in the ledger',
      );
      expect(row).toEqual({ tallies: [2, 1, 0], total_votes: 3 });
      const votes = await db.query('SELECT user_id, option FROM poll_votes WHERE poll_id = $1', [pollId]);
      expect(votes.rows).toHaveLength(3);

      // Running the step twice more changes nothing: no second event, same ledger row, same votes.
      const seq = await s.built.deps.roomLog.currentSeq(liveId);
      const step = pollsCloseStep({ scripts, logMaxLen: 2000 });
      const ctx = {
        liveId,
        endedAt: new Date().toISOString(),
        db,
        redis,
        keys,
        log: pino({ level: 'silent' }),
        progress: async () => {},
      };
      for (let i = 0; i < 2; i++) {
        expect(await step.run(ctx)).toMatchObject({ poll: pollId, closedNow: false, tallies: [2, 1, 0] });
      }
      expect(await s.built.deps.roomLog.currentSeq(liveId)).toBe(seq);
      const closes = (await redis.xrange(keys.log(liveId), '-', '+')).filter(
        ([, f]) => f[f.indexOf('t') + 1] === 'poll:closed',
      );
      expect(closes).toHaveLength(1);
      const again = await db.query('SELECT tallies, total_votes FROM polls WHERE id = $1', [pollId]);
      expect(again.rows[0]).toEqual(row);
      expect(
        (await db.query('SELECT count(*)::int AS n FROM poll_votes WHERE poll_id = $1', [pollId])).rows[0],
      ).toEqual({ n: 3 });
      // No poll opens after the end (the step would never close it).
      const late = await call(hostC.socket, 'poll:create', {
        liveId,
        question: 'late?',
        options: ['a', 'b'],
        durationSec: 60,
      });
      expect(late.ok ? 'ok' : late.error.code).toBe('LIVE_ENDED');
      for (const c of [hostC, ...voters]) c.close();
    } finally {
      await worker.close();
      await s.close();
    }
  });
});
