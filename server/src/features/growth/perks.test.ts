import { randomUUID } from 'node:crypto';
import type { Coupon } from '@lc/contracts/commerce.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guest, hostWithLive, http, startServer, type TestServer } from '../../../../test/server';

describe('level-gated perks', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  }, 60_000);
  afterAll(() => s?.close());

  it('a loyal-only coupon is claimed by loyal fans and refused to others with FAN_LEVEL_REQUIRED, concurrently', async () => {
    const { host, liveId } = await hostWithLive(s);
    // Loyal after one attended live (so one seeded past live makes a fan loyal).
    const rules = { active: { lives: 1 }, loyal: { lives: 1 }, highValue: { lives: 100 } };
    expect((await http(s, 'PUT', '/api/growth/levels/rules', rules, host.token)).status).toBe(200);
    const fans = await Promise.all(Array.from({ length: 10 }, (_, i) => guest(s, `fan ${i}`)));
    const others = await Promise.all(Array.from({ length: 10 }, (_, i) => guest(s, `other ${i}`)));
    const past = randomUUID();
    const { db } = s.built.deps;
    await db.query(
      `INSERT INTO lives (id, host_id, title, status, started_at, ended_at)
       VALUES ($1, $2, 'past', 'ended', now() - interval '2 days', now() - interval '2 days')`,
      [past, host.user.id],
    );
    await db.query(
      `INSERT INTO live_attendance (live_id, merchant_id, user_id, watch_ms, comments, likes, via_share, ended_at)
       SELECT $1, $2, u, 60000, 0, 0, false, now() - interval '2 days' FROM unnest($3::text[]) u`,
      [past, host.user.id, fans.map((f) => f.user.id)],
    );
    const re = await http<{ byLevel: Record<string, number> }>(
      s,
      'POST',
      '/api/growth/levels/recompute',
      undefined,
      host.token,
    );
    expect(re.body.byLevel.loyal).toBe(10);

    const coupon = await http<Coupon>(
      s,
      'POST',
      `/api/lives/${liveId}/coupons`,
      { kind: 'amount_off', title: '忠粉券', currency: 'CNY', amountOff: 800, quota: 100, minLevel: 'loyal' },
      host.token,
    );
    expect(coupon.status).toBe(201);
    expect(coupon.body.minLevel).toBe('loyal');
    const claim = (token: string) =>
      http<{ error?: { code: string; details: unknown } }>(
        s,
        'POST',
        `/api/lives/${liveId}/coupons/${coupon.body.id}/claims`,
        undefined,
        token,
      );
    const [ok, refused] = await Promise.all([
      Promise.all(fans.map((f) => claim(f.token))),
      Promise.all(others.map((o) => claim(o.token))),
    ]);
    expect(ok.map((r) => r.status)).toEqual(fans.map(() => 201));
    for (const r of refused) {
      expect(r.status).toBe(403);
      expect(r.body.error).toMatchObject({
        code: 'FAN_LEVEL_REQUIRED',
        details: { required: 'loyal', level: 'normal' },
      });
    }
    const claims = await db.query('SELECT user_id FROM coupon_claims WHERE coupon_id = $1', [coupon.body.id]);
    expect(claims.rows.map((r) => r.user_id).sort()).toEqual(fans.map((f) => f.user.id).sort());
    const bad = await http<{ error: { code: string } }>(
      s,
      'POST',
      `/api/lives/${liveId}/coupons`,
      { kind: 'amount_off', title: 'x', currency: 'CNY', amountOff: 1, quota: 1, minLevel: 'vip' },
      host.token,
    );
    expect(bad.body.error.code).toBe('VALIDATION');
  }, 60_000);
});
