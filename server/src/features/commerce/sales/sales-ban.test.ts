import { randomUUID } from 'node:crypto';
import type { AuthResponse } from '@lc/contracts/auth.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guests, liveWithSale, reserve, saleCounters, watchRoom } from '../../../../../test/commerce';
import { call, connect, http, startServer, type TestServer } from '../../../../../test/server';

/**
 * Verified tokens are cached per node (tokens.ts), so a ban cannot rely on the token check: the reserve script
 * reads the live's bans itself, in the same call that decides the attempt.
 */
describe('a ban stops a cached token at once', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ env: { SALE_FAIR_WINDOW_MS: '0' } });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('refuses every attempt the banned user (or device) starts after the ban is acked, replays and new sessions included', async () => {
    const { host, liveId, sale } = await liveWithSale(s, { units: 1000, perUserLimit: 100 });
    const [target, ...others] = await guests(s, 6);
    // The target joins (the room learns its device) and reserves: its token is now verified and cached.
    const watcher = await watchRoom(s, target!, liveId);
    const firstKey = randomUUID();
    expect((await reserve(s, target!.token, liveId, sale.id, firstKey)).status).toBe(201);

    const hostSock = await connect(s, host.token);
    let banAckedAt = Number.POSITIVE_INFINITY;
    const late: { status: number; code?: string }[] = [];
    const early: number[] = [];
    const othersRefused: string[] = [];
    let stop = false;
    // Concurrent buyers: the target and five others keep reserving while the host bans the target.
    const buyer = async (u: AuthResponse) => {
      while (!stop) {
        const startedAt = performance.now();
        const r = await reserve(s, u.token, liveId, sale.id, randomUUID());
        if (u === target) {
          if (startedAt > banAckedAt) late.push({ status: r.status, code: r.body.error?.code });
          else early.push(r.status);
        } else if (r.status !== 201) othersRefused.push(r.body.error?.code ?? String(r.status));
      }
    };
    const buying = Promise.all([target!, ...others].map(buyer));
    await new Promise((r) => setTimeout(r, 150));
    const ban = await call(hostSock, 'mod:ban', { liveId, userId: target!.user.id });
    banAckedAt = performance.now();
    expect(ban.ok).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await buying;
    expect(early.length).toBeGreaterThan(0);
    expect(late.length).toBeGreaterThan(0);
    expect(late.filter((r) => r.status !== 403 || r.code !== 'BANNED')).toEqual([]);
    // Nobody else is touched by the ban (they may only reach their own limit).
    expect(othersRefused.filter((c) => c !== 'PURCHASE_LIMIT')).toEqual([]);

    // A replay of a key that reserved before the ban is refused too; so are the snapshot and a join.
    const replay = await reserve(s, target!.token, liveId, sale.id, firstKey);
    expect(replay.status).toBe(403);
    expect(replay.body.error?.code).toBe('BANNED');
    const snap = await http<{ error: { code: string } }>(
      s,
      'GET',
      `/api/lives/${liveId}/snapshot`,
      undefined,
      target!.token,
    );
    expect(snap.body.error.code).toBe('BANNED');
    // A fresh guest session on the banned device: a new token, refused by the device ban.
    const again = await http<AuthResponse>(s, 'POST', '/api/auth/guest', {
      displayName: 'someone else',
      deviceId: target!.deviceId,
    });
    expect(again.status).toBe(200);
    expect(again.body.user.id).not.toBe(target!.user.id);
    const byDevice = await reserve(s, again.body.token, liveId, sale.id, randomUUID());
    expect(byDevice.body.error?.code).toBe('BANNED');

    // Refusals hold nothing: the counters still add up.
    const c = await saleCounters(s, liveId, sale.id);
    expect(c.sold + c.reserved + c.remaining).toBe(c.initial);
    watcher.socket.close();
    hostSock.close();
  }, 60_000);
});
