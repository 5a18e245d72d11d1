import { randomUUID } from 'node:crypto';
import type { Coupon, CouponClaim, Order } from '@lc/contracts/commerce.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guests, liveWithSale, pay, reserve, watchRoom } from '../../../../../test/commerce';
import {
  call,
  guest,
  hostWithLive,
  http,
  registerHost,
  startServer,
  type TestServer,
  waitFor,
} from '../../../../../test/server';
import { discountFor } from './discount';

type Err = { error: { code: string } };

const amountOff = (over: Record<string, unknown> = {}) => ({
  kind: 'amount_off',
  title: '满50减10',
  currency: 'CNY',
  amountOff: 1000,
  minSpend: 5000,
  quota: 100,
  perUserLimit: 1,
  ...over,
});

describe('coupon arithmetic', () => {
  it('takes amount off above the minimum spend, and a capped percentage, never more than the price', () => {
    const full = { kind: 'amount_off', currency: 'CNY', amountOff: 1000, minSpend: 5000 } as const;
    const pct = { kind: 'percent_off', currency: 'CNY', percentOff: 15, maxDiscount: 500 } as const;
    const none = { percentOff: null, maxDiscount: null, amountOff: null, minSpend: null };
    expect(discountFor({ ...none, ...full }, 5000, 'CNY')).toBe(1000);
    expect(() => discountFor({ ...none, ...full }, 4999, 'CNY')).toThrow(/at least 5000/);
    expect(discountFor({ ...none, ...full, minSpend: 0 }, 300, 'CNY')).toBe(300);
    expect(discountFor({ ...none, ...pct }, 3000, 'CNY')).toBe(450);
    expect(discountFor({ ...none, ...pct }, 4999, 'CNY')).toBe(500);
    expect(discountFor({ ...none, ...pct }, 333, 'CNY')).toBe(49);
    expect(() => discountFor({ ...none, ...pct }, 3000, 'USD')).toThrow(/CNY/);
  });
});

describe.each(['pglite', 'postgres'] as const)('coupons on %s', (ledger) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ ledger, env: { SALE_FAIR_WINDOW_MS: '0' } });
  });
  afterAll(async () => s?.close());

  const create = async (token: string, liveId: string, body: Record<string, unknown>) => {
    const r = await http<Coupon>(s, 'POST', `/api/lives/${liveId}/coupons`, body, token);
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
    return r.body;
  };
  const claim = (token: string, liveId: string, couponId: string) =>
    http<CouponClaim & Err>(s, 'POST', `/api/lives/${liveId}/coupons/${couponId}/claims`, undefined, token);

  it('keeps quota and per-user limit exact under 500 concurrent claims, recorded in the ledger', async () => {
    const { host, liveId } = await hostWithLive(s);
    const c = await create(host.token, liveId, amountOff({ quota: 100, perUserLimit: 2 }));
    const crowd = await guests(s, 260);
    // 200 viewers claim once, 60 claim five times each: 500 attempts for 100 coupons.
    const attempts = crowd.flatMap((u, i) => Array.from({ length: i < 200 ? 1 : 5 }, () => u));
    const results = await Promise.all(attempts.map((u) => claim(u.token, liveId, c.id)));
    const ok = results.filter((r) => r.status === 201);
    expect(ok).toHaveLength(100);
    const codes = new Set(results.filter((r) => r.status !== 201).map((r) => r.body.error.code));
    expect([...codes].every((code) => code === 'COUPON_EXHAUSTED' || code === 'COUPON_LIMIT')).toBe(true);
    const { rows } = await s.built.deps.db.query<{ user_id: string; n: number }>(
      'SELECT user_id, count(*)::int AS n FROM coupon_claims WHERE coupon_id = $1 GROUP BY user_id',
      [c.id],
    );
    expect(rows.reduce((n, r) => n + r.n, 0)).toBe(100);
    expect(Math.max(...rows.map((r) => r.n))).toBeLessThanOrEqual(2);
    const listed = await http<{ coupons: Coupon[] }>(
      s,
      'GET',
      `/api/lives/${liveId}/coupons`,
      undefined,
      host.token,
    );
    expect(listed.body.coupons[0]).toMatchObject({ id: c.id, claimed: 100, quota: 100, locked: false });

    // One viewer hammering a roomy coupon gets exactly their limit.
    const roomy = await create(
      host.token,
      liveId,
      amountOff({ title: 'roomy', quota: 1000, perUserLimit: 3 }),
    );
    const u = await guest(s);
    const mine = await Promise.all(Array.from({ length: 50 }, () => claim(u.token, liveId, roomy.id)));
    expect(
      mine
        .filter((r) => r.status === 201)
        .map((r) => r.body.claimNo)
        .sort(),
    ).toEqual([1, 2, 3]);
  });

  it("unlocks a coupon tied to a like goal when the viewers' likes reach it, and tells the room", async () => {
    const { host, liveId } = await hostWithLive(s);
    const hostRoom = await watchRoom(s, host, liveId);
    const added = await call<{ goal: { id: string } }>(hostRoom.socket, 'like:goal:add', {
      liveId,
      threshold: 30,
    });
    if (!added.ok) throw new Error(JSON.stringify(added));
    const goalId = added.data.goal.id;
    const c = await create(host.token, liveId, amountOff({ likeGoalId: goalId }));
    const viewer = await watchRoom(s, await guest(s), liveId);
    expect((viewer.snapshot.features.commerce as { coupons: Coupon[] }).coupons[0]).toMatchObject({
      id: c.id,
      locked: true,
    });
    const locked = await call(viewer.socket, 'coupon:claim', { liveId, couponId: c.id });
    expect(locked).toMatchObject({ ok: false, error: { code: 'COUPON_LOCKED' } });
    // Viewers tap; the likes feature flushes, marks the goal reached once and runs its hooks.
    expect(await call(viewer.socket, 'like:tap', { liveId, count: 20 })).toMatchObject({ ok: true });
    expect(await call(hostRoom.socket, 'like:tap', { liveId, count: 20 })).toMatchObject({ ok: true });
    const unlocked = await waitFor(
      () => viewer.ofType<{ couponId: string }>('coupon:unlocked')[0],
      5000,
      'unlock',
    );
    expect(unlocked).toMatchObject({ couponId: c.id, likeGoalId: goalId });
    const claimed = await call<CouponClaim>(viewer.socket, 'coupon:claim', { liveId, couponId: c.id });
    expect(claimed).toMatchObject({ ok: true, data: { couponId: c.id, claimNo: 1, claimed: 1 } });
    const listed = await http<{ coupons: Coupon[] }>(
      s,
      'GET',
      `/api/lives/${liveId}/coupons`,
      undefined,
      host.token,
    );
    expect(listed.body.coupons[0]?.locked).toBe(false);
    viewer.close();
    hostRoom.close();
  });

  it('can be claimed only while the live is on', async () => {
    const host = await registerHost(s);
    const live = await http<{ id: string }>(s, 'POST', '/api/lives', { title: 'later' }, host.token);
    const c = await create(host.token, live.body.id, amountOff());
    const u = await guest(s);
    expect((await claim(u.token, live.body.id, c.id)).body.error.code).toBe('LIVE_NOT_LIVE');
    await http(s, 'POST', `/api/lives/${live.body.id}/start`, undefined, host.token);
    expect((await claim(u.token, live.body.id, c.id)).status).toBe(201);
    await http(s, 'POST', `/api/lives/${live.body.id}/end`, undefined, host.token);
    expect((await claim((await guest(s)).token, live.body.id, c.id)).body.error.code).toBe('LIVE_ENDED');
    expect((await claim(u.token, live.body.id, randomUUID())).body.error.code).toBe('COUPON_NOT_FOUND');
    const viewer = await guest(s);
    expect(
      (await http<Err>(s, 'POST', `/api/lives/${live.body.id}/coupons`, amountOff(), viewer.token)).status,
    ).toBe(403);
  });

  it('applies 满减 and 折扣 at payment and records each redemption exactly once', async () => {
    const { host, liveId, sale } = await liveWithSale(s, { units: 20, perUserLimit: 5, dealPrice: 4900 });
    const full = await create(host.token, liveId, amountOff({ perUserLimit: 1 }));
    const pct = await create(host.token, liveId, {
      kind: 'percent_off',
      title: '85折',
      currency: 'CNY',
      percentOff: 15,
      maxDiscount: 500,
      quota: 10,
    });
    const buyer = await guest(s);
    const room = await watchRoom(s, buyer, liveId);
    expect((await claim(buyer.token, liveId, full.id)).status).toBe(201);
    expect((await claim(buyer.token, liveId, pct.id)).status).toBe(201);

    const one = await reserve(s, buyer.token, liveId, sale.id, randomUUID(), { quantity: 1 });
    const below = await pay(s, buyer.token, liveId, one.body.id, randomUUID(), { couponId: full.id });
    expect(below.body.error?.code).toBe('COUPON_NOT_APPLICABLE');
    const two = await reserve(s, buyer.token, liveId, sale.id, randomUUID(), { quantity: 2 });
    // Both reservations try to use the single 满减 claim at once: one gets it.
    const [a, b] = await Promise.all([
      pay(s, buyer.token, liveId, two.body.id, randomUUID(), { couponId: full.id }),
      pay(s, buyer.token, liveId, two.body.id, randomUUID(), { couponId: full.id }),
    ]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    const won = a.status === 202 ? a : b;
    expect(won.body).toMatchObject({ discount: 1000, total: 8800 });
    const pctPaid = await pay(s, buyer.token, liveId, one.body.id, randomUUID(), { couponId: pct.id });
    expect(pctPaid.body).toMatchObject({ discount: 500, total: 4400 });
    await waitFor(() => room.facts.filter((f) => f.event === 'order:paid').length === 2, 5000, 'two orders');
    const orders = room.facts.map((f) => (f.payload as { order: Order }).order);
    expect(orders.map((o) => [o.couponId, o.discount, o.total]).sort()).toEqual(
      [
        [full.id, 1000, 8800],
        [pct.id, 500, 4400],
      ].sort(),
    );
    const { rows } = await s.built.deps.db.query<{ coupon_id: string; claim_no: number; discount: string }>(
      'SELECT coupon_id, claim_no, discount FROM coupon_redemptions WHERE user_id = $1 ORDER BY discount',
      [buyer.user.id],
    );
    expect(rows).toEqual([
      { coupon_id: pct.id, claim_no: 1, discount: '500' },
      { coupon_id: full.id, claim_no: 1, discount: '1000' },
    ]);
    // Used up: a third reservation cannot use it again.
    const three = await reserve(s, buyer.token, liveId, sale.id, randomUUID(), { quantity: 2 });
    const reuse = await pay(s, buyer.token, liveId, three.body.id, randomUUID(), { couponId: full.id });
    expect(reuse.body.error?.code).toBe('COUPON_NOT_CLAIMED');
    const list = await http<{ coupons: Coupon[] }>(
      s,
      'GET',
      `/api/lives/${liveId}/coupons`,
      undefined,
      buyer.token,
    );
    expect(list.body.coupons.find((c) => c.id === full.id)?.mine).toEqual({ claimed: 1, used: 1 });
    room.close();
  });

  it('gives a coupon back when its payment is declined', async () => {
    const { host, liveId, sale } = await liveWithSale(s, { units: 5, dealPrice: 6000 });
    const c = await create(host.token, liveId, amountOff());
    const buyer = await guest(s);
    const room = await watchRoom(s, buyer, liveId);
    await claim(buyer.token, liveId, c.id);
    const r = await reserve(s, buyer.token, liveId, sale.id);
    await pay(s, buyer.token, liveId, r.body.id, randomUUID(), { couponId: c.id, simulate: 'decline' });
    await waitFor(() => room.facts.some((f) => f.event === 'payment:failed'), 5000, 'declined');
    const retry = await pay(s, buyer.token, liveId, r.body.id, randomUUID(), { couponId: c.id });
    expect(retry.body).toMatchObject({ discount: 1000, total: 5000 });
    await waitFor(() => room.facts.some((f) => f.event === 'order:paid'), 5000, 'paid');
    room.close();
  });
});
