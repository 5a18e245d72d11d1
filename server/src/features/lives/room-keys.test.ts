import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { guestOn, joinAs } from '../../../../test/interaction';
import { call, connect, hostWithLive, http, startServer, waitFor } from '../../../../test/server';
import { loadConfig } from '../../config';
import { buildWorker } from '../../worker-app';
import { interactionStatsStep } from '../interaction-stats/interaction-stats.jobs';
import { liveStatsStep, roomKeysOf, roomKeysStep } from './lives.jobs';

const silent = pino({ level: 'silent' });

describe('end-of-live room-keys step', () => {
  it('sets an expiry on the ended live’s room and interaction keys only, after its readers ran; a rerun extends nothing', async () => {
    const s = await startServer({
      ledger: 'postgres',
      env: { ROOM_KEYS_RETAIN_SEC: '3600', COMMERCE_KEYS_RETAIN_SEC: '7200' },
    });
    const worker = await buildWorker(loadConfig(s.env), silent);
    const { db, redis, keys } = s.built.deps;
    try {
      const { liveId, host } = await hostWithLive(s);
      const hostC = await joinAs(s, host, liveId);
      const viewer = await joinAs(s, await guestOn(s, 'v'), liveId);
      await call(viewer.socket, 'comment:send', { liveId, text: 'hello' });
      await call(viewer.socket, 'like:tap', { liveId, count: 3 });
      await call(viewer.socket, 'qa:ask', { liveId, text: 'a question?' });
      await s.built.use('likes').flush();
      const before = await roomKeysOf(redis, keys, liveId);
      expect(before).toEqual(
        expect.arrayContaining([
          keys.seq(liveId),
          keys.log(liveId),
          keys.likes(liveId),
          keys.uniqueViewers(liveId),
        ]),
      );
      await http(s, 'POST', `/api/lives/${liveId}/end`, undefined, host.token);

      await waitFor(async () => (await redis.ttl(keys.log(liveId))) > 0, 30_000, 'room keys expiring');
      for (const k of await roomKeysOf(redis, keys, liveId)) {
        const ttl = await redis.ttl(k);
        expect([k, ttl > 0 && ttl <= 3600]).toEqual([k, true]);
      }
      // Its readers wrote their figures first; commerce keys keep settlement's expiry, watch time none.
      const stats = await db.query('SELECT unique_viewers FROM live_stats WHERE live_id = $1', [liveId]);
      expect(stats.rows[0]).toEqual({ unique_viewers: 2 });
      const report = await db.query('SELECT unique_viewers FROM commerce_reports WHERE live_id = $1', [
        liveId,
      ]);
      expect(report.rows[0]).toEqual({ unique_viewers: 2 });
      expect(await redis.ttl(keys.commerce(liveId))).toBeGreaterThan(3600);
      expect(await redis.ttl(keys.watchSince(liveId))).toBe(-1);

      // A late viewer still gets the final snapshot within the grace.
      const late = await joinAs(s, await guestOn(s, 'late'), liveId);
      expect(late.snapshot.live.status).toBe('ended');
      expect(late.snapshot.seq).toBeGreaterThan(0);

      // A rerun (here with a longer retain) extends no expiry.
      await redis.expire(keys.log(liveId), 100);
      const step = roomKeysStep({ retainSec: 86_400, steps: () => [] });
      const ctx = {
        liveId,
        endedAt: new Date().toISOString(),
        db,
        redis,
        keys,
        log: silent,
        progress: async () => {},
      };
      await step.run(ctx);
      expect(await redis.ttl(keys.log(liveId))).toBeLessThanOrEqual(100);
      for (const c of [hostC, viewer, late]) c.close();
    } finally {
      await worker.close();
      await s.close();
    }
  });

  it('with ROOM_KEYS_RETAIN_SEC=0 deletes them; a later join or snapshot gets LIVE_ENDED; a rerun is harmless', async () => {
    const s = await startServer({ ledger: 'postgres', env: { ROOM_KEYS_RETAIN_SEC: '0' } });
    const worker = await buildWorker(loadConfig(s.env), silent);
    const { db, redis, keys } = s.built.deps;
    try {
      const { liveId, host } = await hostWithLive(s);
      const viewer = await joinAs(s, await guestOn(s, 'v'), liveId);
      await call(viewer.socket, 'comment:send', { liveId, text: 'hello' });
      await http(s, 'POST', `/api/lives/${liveId}/end`, undefined, host.token);
      await waitFor(async () => (await redis.exists(keys.seq(liveId))) === 0, 30_000, 'room keys deleted');
      viewer.close();
      await waitFor(
        async () => (await roomKeysOf(redis, keys, liveId)).length === 0,
        5000,
        'presence keys gone',
      );
      // The figures were written before the deletion.
      const stats = await db.query('SELECT unique_viewers, room_events FROM live_stats WHERE live_id = $1', [
        liveId,
      ]);
      expect(stats.rows[0]?.unique_viewers).toBe(1);
      expect(Number(stats.rows[0]?.room_events)).toBeGreaterThan(0);
      const comments = await db.query('SELECT comments FROM live_interaction_stats WHERE live_id = $1', [
        liveId,
      ]);
      expect(comments.rows[0]).toEqual({ comments: 1 });
      const report = await db.query('SELECT unique_viewers FROM commerce_reports WHERE live_id = $1', [
        liveId,
      ]);
      expect(report.rows[0]).toEqual({ unique_viewers: 1 });

      const late = await guestOn(s, 'late');
      const socket = await connect(s, late.token);
      const join = await call(socket, 'live:join', { liveId });
      expect(join.ok ? 'ok' : join.error.code).toBe('LIVE_ENDED');
      socket.close();
      const snap = await http<{ error: { code: string } }>(
        s,
        'GET',
        `/api/lives/${liveId}/snapshot`,
        undefined,
        late.token,
      );
      expect([snap.status, snap.body.error.code]).toEqual([409, 'LIVE_ENDED']);
      // The refused join re-created no presence key.
      expect(await roomKeysOf(redis, keys, liveId)).toEqual([]);

      const step = roomKeysStep({ retainSec: 0, steps: () => [liveStatsStep, interactionStatsStep] });
      const ctx = {
        liveId,
        endedAt: new Date().toISOString(),
        db,
        redis,
        keys,
        log: silent,
        progress: async () => {},
      };
      expect(await step.run(ctx)).toEqual({ released: 0 });
      const after = await db.query('SELECT unique_viewers, room_events FROM live_stats WHERE live_id = $1', [
        liveId,
      ]);
      expect(after.rows).toEqual(stats.rows);
    } finally {
      await worker.close();
      await s.close();
    }
  });
});
