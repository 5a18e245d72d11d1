import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { guestOn, joinAs } from '../../../../test/interaction';
import { call, hostWithLive, http, startServer, waitFor } from '../../../../test/server';
import { loadConfig } from '../../config';
import { buildWorker } from '../../worker-app';

describe('end-of-live interaction stats', () => {
  it('writes likes, comments, questions, polls and share attribution to the ledger once', async () => {
    const s = await startServer({ ledger: 'postgres' });
    const worker = await buildWorker(loadConfig(s.env), pino({ level: 'silent' }));
    try {
      const { liveId, host } = await hostWithLive(s);
      const hostC = await joinAs(s, host, liveId);
      const sharer = await joinAs(s, await guestOn(s, 'sharer'), liveId);
      const link = await call<{ ref: string }>(sharer.socket, 'share:create', { liveId });
      if (!link.ok) throw new Error('share failed');
      const friend = await guestOn(s, 'friend');
      const viaLink = await joinAs(s, friend, liveId);
      await call(viaLink.socket, 'live:join', { liveId, ref: link.data.ref });
      await call(viaLink.socket, 'like:tap', { liveId, count: 7 });
      await call(sharer.socket, 'comment:send', { liveId, text: 'first' });
      await call(sharer.socket, 'qa:ask', { liveId, text: 'a question?' });
      await call(hostC.socket, 'poll:create', {
        liveId,
        question: 'q',
        options: ['a', 'b'],
        durationSec: 60,
      });
      await s.built.use('likes').flush();
      await http(s, 'POST', `/api/lives/${liveId}/end`, undefined, host.token);
      const row = await waitFor(
        async () =>
          (await s.built.deps.db.query('SELECT * FROM live_interaction_stats WHERE live_id = $1', [liveId]))
            .rows[0],
        15_000,
        'stats row',
      );
      expect(row).toMatchObject({
        likes: '7',
        comments: 1,
        questions: 1,
        polls: 1,
        shares: 1,
        share_joins: 1,
      });
      const shares = await s.built.deps.db.query(
        'SELECT sharer_id, shares, joins FROM live_shares WHERE live_id = $1',
        [liveId],
      );
      expect(shares.rows).toEqual([{ sharer_id: sharer.auth.user.id, shares: 1, joins: 1 }]);
      for (const c of [hostC, sharer, viaLink]) c.close();
    } finally {
      await worker.close();
      await s.close();
    }
  });
});
