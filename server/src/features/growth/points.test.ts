import { randomUUID } from 'node:crypto';
import type { Coupon } from '@lc/contracts/commerce.schema';
import type {
  LiveLeaderboard,
  LiveLeaderboards,
  PeriodLeaderboard,
  PointsAccount,
  PointsRules,
  Redemption,
  ReversalResult,
} from '@lc/contracts/growth.schema';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProduct, pay, request, reserve, scheduleSale } from '../../../../test/commerce';
import { guestOn, joinAs, type RoomClient } from '../../../../test/interaction';
import {
  call,
  hostWithLive,
  http,
  sharedEnv,
  startServer,
  type TestServer,
  waitFor,
} from '../../../../test/server';
import { loadConfig } from '../../config';
import { buildWorker } from '../../worker-app';
import { GROWTH_POINTS_STEP } from './points.jobs';

const VIEWERS = 500;
/** Acks under 500 clients at once on a shared 2-core machine: patient, never weaker. */
const SLOW_ACK = 60_000;
const BUYERS = 60;
const DEAL_PRICE = 4990;
const RULES: PointsRules = {
  watchPerMinute: 1,
  watchMaxMinutes: 120,
  comment: 3,
  commentMaxPerLive: 2,
  likesPerPoint: 5,
  likeMaxPointsPerLive: 4,
  shareJoin: 11,
  follow: 7,
  purchasePerYuan: 2,
  lotteryEntry: 5,
};

type Row = { user_id: string; kind: string; source: string; delta: string; quantity: string };

describe('growth points from a real live on two nodes', () => {
  let a: TestServer;
  let b: TestServer;
  let worker: Awaited<ReturnType<typeof buildWorker>>;
  const clients: RoomClient[] = [];
  let host: { token: string; user: { id: string } };
  let liveId: string;
  /** What the test itself saw accepted, per user: the raw events the rules apply to. */
  const sent = {
    comments: new Map<string, number>(),
    likes: new Map<string, number>(),
    follows: [] as string[],
  };
  let sharerId = '';

  beforeAll(async () => {
    a = await startServer({
      ledger: 'postgres',
      env: { COMMENT_RATE_COUNT: '100', COMMENT_ROOM_MAX_PER_SEC: '0', PAYMENT_SIM_DELAY_MS: '5' },
    });
    b = await startServer({
      env: { ...sharedEnv(a), COMMENT_RATE_COUNT: '100', COMMENT_ROOM_MAX_PER_SEC: '0' },
    });
    worker = await buildWorker(loadConfig(a.env), pino({ level: 'silent' }));
    ({ host, liveId } = await hostWithLive(a));
    const set = await http<PointsRules>(a, 'PUT', '/api/growth/rules', RULES, host.token);
    expect(set.status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await worker?.close();
    await b?.close();
    await a?.close();
  });

  it(`awards ${VIEWERS} viewers exactly what the rules give their raw events; a retried step awards nothing`, async () => {
    const product = await addProduct(a, host.token, liveId, { stock: BUYERS });
    const sale = await scheduleSale(a, host.token, liveId, product.id, {
      units: BUYERS,
      dealPrice: DEAL_PRICE,
    });
    for (let i = 0; i < VIEWERS; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, VIEWERS - i) }, async (_, j) =>
          joinAs(i + j < VIEWERS / 2 ? a : b, await guestOn(a, `fan${i + j}`), liveId),
        ),
      );
      clients.push(...batch);
    }
    const boards = new Map<RoomClient, LiveLeaderboard[]>();
    for (const c of [clients[1]!, clients[VIEWERS - 1]!]) {
      boards.set(c, []);
      c.socket.on('leaderboard:live', (p) => boards.get(c)!.push(p));
    }
    // Everyone acts at once: comments (0–3, capped at 2 by the rules), likes, follows, buys.
    await Promise.all(
      clients.map(async (c, i) => {
        const id = c.auth.user.id;
        for (let k = 0; k < i % 4; k++) {
          const r = await call<{ status: string }>(
            c.socket,
            'comment:send',
            { liveId, text: `hi ${k}` },
            SLOW_ACK,
          );
          if (r.ok && r.data.status === 'published') sent.comments.set(id, (sent.comments.get(id) ?? 0) + 1);
        }
        const taps = (i * 7) % 30;
        if (taps > 0) {
          const r = await call<{ accepted: number }>(c.socket, 'like:tap', { liveId, count: taps }, SLOW_ACK);
          if (r.ok) sent.likes.set(id, r.data.accepted);
        }
        if (i % 5 === 0) {
          const r = await call(c.socket, 'follow:set', { liveId, follow: true }, SLOW_ACK);
          if (r.ok) sent.follows.push(id);
        }
        if (i < BUYERS) {
          const node = i % 2 ? b : a;
          const res = await reserve(node, c.auth.token, liveId, sale.id);
          expect(res.status).toBe(201);
          expect(
            (await pay(node, c.auth.token, liveId, res.body.id, randomUUID(), { method: 'card' })).status,
          ).toBe(202);
        }
      }),
    );
    // Three friends join through the first viewer's share link.
    sharerId = clients[0]!.auth.user.id;
    const link = await call<{ ref: string }>(clients[0]!.socket, 'share:create', { liveId });
    if (!link.ok) throw new Error('share failed');
    for (let k = 0; k < 3; k++) {
      const friend = await joinAs(b, await guestOn(b, `friend${k}`), liveId);
      clients.push(friend);
      expect((await call(friend.socket, 'live:join', { liveId, ref: link.data.ref })).ok).toBe(true);
    }
    await waitFor(
      async () =>
        (await a.built.deps.db.query('SELECT 1 FROM orders WHERE live_id = $1', [liveId])).rowCount ===
        BUYERS,
      60_000,
      'orders',
    );
    await Promise.all([a, b].map((s) => s.built.use('likes').flush()));
    // The live leaderboard reaches viewers on both nodes with the top likers (ties by user id, as Redis orders them).
    const top = [...sent.likes].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? 1 : -1)).slice(0, 10);
    for (const c of [clients[1]!, clients[VIEWERS - 1]!])
      await waitFor(
        () =>
          boards
            .get(c)
            ?.some(
              (l) => JSON.stringify(l.likes.map((e) => e.value)) === JSON.stringify(top.map((t) => t[1])),
            ),
        10_000,
        'live leaderboard',
      );
    // Raw watch sessions as presence recorded them (read before the end: room keys are released after).
    const { redis, keys, db } = a.built.deps;
    expect((await http(a, 'POST', `/api/lives/${liveId}/end`, undefined, host.token)).status).toBe(200);
    const watchClosed = await redis.hgetall(keys.watchMs(liveId));
    const watchOpen = await redis.hgetall(keys.watchSince(liveId));
    const endedAt = (await db.query<{ ended_at: Date }>('SELECT ended_at FROM lives WHERE id = $1', [liveId]))
      .rows[0]!.ended_at;

    const purchases = await waitFor(
      async () => {
        const { rows } = await db.query(
          "SELECT 1 FROM points_ledger WHERE live_id = $1 AND kind = 'purchase'",
          [liveId],
        );
        return rows.length === BUYERS && rows;
      },
      90_000,
      'purchase awards after settlement',
    );
    expect(purchases).toHaveLength(BUYERS);
    const { rows } = await db.query<Row>(
      'SELECT user_id, kind, source, delta, quantity FROM points_ledger WHERE merchant_id = $1 ORDER BY id',
      [host.user.id],
    );

    // The same rules applied by hand to the raw events.
    const expected: string[] = [];
    const push = (u: string, kind: string, source: string, delta: number) => {
      if (delta > 0) expected.push(`${u} ${kind} ${source} ${delta}`);
    };
    const src = `live:${liveId}`;
    for (const [u, n] of sent.comments)
      push(u, 'comment', src, Math.min(n, RULES.commentMaxPerLive) * RULES.comment);
    for (const [u, t] of sent.likes)
      push(u, 'like', src, Math.min(Math.floor(t / RULES.likesPerPoint), RULES.likeMaxPointsPerLive));
    for (const u of sent.follows) push(u, 'follow', 'follow', RULES.follow);
    push(sharerId, 'share', src, 3 * RULES.shareJoin);
    const orders = await db.query<{ id: string; user_id: string; total: string }>(
      'SELECT id, user_id, total FROM orders WHERE live_id = $1',
      [liveId],
    );
    expect(orders.rows.every((o) => Number(o.total) === DEAL_PRICE)).toBe(true);
    for (const o of orders.rows)
      push(o.user_id, 'purchase', `order:${o.id}`, Math.floor(DEAL_PRICE / 100) * RULES.purchasePerYuan);
    const users = new Set([...Object.keys(watchClosed), ...Object.keys(watchOpen)]);
    for (const u of users) {
      const ms =
        Number(watchClosed[u] ?? 0) +
        (watchOpen[u] ? Math.max(0, endedAt.getTime() - Number(watchOpen[u])) : 0);
      push(u, 'watch', src, Math.min(Math.floor(ms / 60_000), RULES.watchMaxMinutes) * RULES.watchPerMinute);
    }
    expect(rows.map((r) => `${r.user_id} ${r.kind} ${r.source} ${r.delta}`).sort()).toEqual(expected.sort());
    expect(expected.length).toBeGreaterThan(VIEWERS);

    // The live's final boards are the raw events' top 10 (ties by user id).
    const top10 = (m: Map<string, number>) =>
      [...m]
        .filter(([, v]) => v > 0)
        .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
        .slice(0, 10)
        .map(([userId, value]) => ({ userId, value }));
    const spent = new Map<string, number>();
    for (const o of orders.rows) spent.set(o.user_id, (spent.get(o.user_id) ?? 0) + Number(o.total));
    const final = await http<LiveLeaderboards>(
      b,
      'GET',
      `/api/lives/${liveId}/leaderboards`,
      undefined,
      clients[2]!.auth.token,
    );
    expect(final.body).toEqual({
      liveId,
      final: true,
      likes: top10(sent.likes),
      comments: top10(sent.comments),
      spend: top10(spent),
      shares: [{ userId: sharerId, value: 3 }],
    });

    // Balances are the sums of the rows.
    const mismatched = await db.query(
      `SELECT b.user_id FROM points_balances b
       LEFT JOIN (SELECT user_id, sum(delta) AS s FROM points_ledger WHERE merchant_id = $1 GROUP BY user_id) l
         ON l.user_id = b.user_id
       WHERE b.merchant_id = $1 AND b.balance <> coalesce(l.s, 0)`,
      [host.user.id],
    );
    expect(mismatched.rows).toEqual([]);

    // The period leaderboard is the ledger's sums.
    const week = await http<PeriodLeaderboard>(
      a,
      'GET',
      `/api/merchants/${host.user.id}/leaderboard?period=week`,
      undefined,
      host.token,
    );
    const sums = new Map<string, number>();
    for (const r of rows) sums.set(r.user_id, (sums.get(r.user_id) ?? 0) + Number(r.delta));
    const ranked = [...sums].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).slice(0, 10);
    expect(week.body.entries).toEqual(ranked.map(([userId, value]) => ({ userId, value })));
    expect(
      (await http(a, 'GET', `/api/merchants/${host.user.id}/leaderboard?period=year`, undefined, host.token))
        .status,
    ).toBe(400);

    // Attendance: one row per viewer who joined, with what they did.
    const att = await db.query<{ user_id: string; comments: number; likes: number; via_share: boolean }>(
      'SELECT user_id, comments, likes, via_share FROM live_attendance WHERE live_id = $1',
      [liveId],
    );
    expect(att.rows).toHaveLength(VIEWERS + 3);
    for (const r of att.rows) {
      expect(r.comments).toBe(sent.comments.get(r.user_id) ?? 0);
      expect(r.likes).toBe(sent.likes.get(r.user_id) ?? 0);
    }
    expect(att.rows.filter((r) => r.via_share)).toHaveLength(3);

    // A retried step (the job again, as BullMQ would) awards nothing new.
    const step = worker.steps.get(GROWTH_POINTS_STEP)!;
    const again = (await step.run({
      liveId,
      endedAt: endedAt.toISOString(),
      db,
      redis,
      keys,
      log: pino({ level: 'silent' }),
      progress: async () => {},
    })) as { liveAwarded: number; awarded: number };
    expect(again).toMatchObject({ liveAwarded: 0, awarded: 0 });
    const after = await db.query('SELECT count(*)::int AS n FROM points_ledger WHERE merchant_id = $1', [
      host.user.id,
    ]);
    expect(after.rows[0]).toEqual({ n: rows.length });
  }, 300_000);

  it('reverses the purchase points of a refunded order once, and only for its merchant', async () => {
    const { db } = a.built.deps;
    const order = (
      await db.query<{ id: string; user_id: string }>(
        'SELECT id, user_id FROM orders WHERE live_id = $1 LIMIT 1',
        [liveId],
      )
    ).rows[0]!;
    const buyer = clients.find((c) => c.auth.user.id === order.user_id)!;
    const before = await http<PointsAccount>(
      a,
      'GET',
      `/api/merchants/${host.user.id}/points`,
      undefined,
      buyer.auth.token,
    );
    const other = await hostWithLive(a);
    const foreign = await http(
      a,
      'POST',
      `/api/growth/orders/${order.id}/points-reversal`,
      undefined,
      other.host.token,
    );
    expect(foreign.status).toBe(403);
    const path = `/api/growth/orders/${order.id}/points-reversal`;
    const first = await http<ReversalResult>(a, 'POST', path, undefined, host.token);
    const second = await http<ReversalResult>(b, 'POST', path, undefined, host.token);
    const awarded = Math.floor(DEAL_PRICE / 100) * RULES.purchasePerYuan;
    expect(first.body).toEqual({ orderId: order.id, userId: order.user_id, reversed: awarded, shortfall: 0 });
    expect(second.body).toEqual(first.body);
    const after = await http<PointsAccount>(
      a,
      'GET',
      `/api/merchants/${host.user.id}/points`,
      undefined,
      buyer.auth.token,
    );
    expect(after.body.balance).toBe(before.body.balance - awarded);
    expect(after.body.entries[0]).toMatchObject({
      kind: 'reversal',
      source: `reverse:purchase:order:${order.id}`,
    });
  });

  it('spends points on a shop item that issues a real coupon claim; 200 concurrent spends never overdraw', async () => {
    const { db } = a.built.deps;
    // The first live ended: the coupon belongs to the merchant's next live.
    const next = await http<{ id: string }>(a, 'POST', '/api/lives', { title: 'Next live' }, host.token);
    await http(a, 'POST', `/api/lives/${next.body.id}/start`, undefined, host.token);
    const coupon = await http<Coupon>(
      a,
      'POST',
      `/api/lives/${next.body.id}/coupons`,
      { kind: 'amount_off', title: '满50减5', currency: 'CNY', amountOff: 500, minSpend: 5000, quota: 1000 },
      host.token,
    );
    expect(coupon.status).toBe(201);
    const item = await http<{ id: string; cost: number }>(
      a,
      'POST',
      '/api/growth/shop-items',
      { title: '5 元券', cost: 7, liveId: next.body.id, couponId: coupon.body.id },
      host.token,
    );
    expect(item.status).toBe(201);
    // The richest fan spends it all at once over both nodes.
    const top = await db.query<{ user_id: string; balance: string }>(
      'SELECT user_id, balance FROM points_balances WHERE merchant_id = $1 ORDER BY balance DESC LIMIT 1',
      [host.user.id],
    );
    const fan = clients.find((c) => c.auth.user.id === top.rows[0]!.user_id)!;
    const balance = Number(top.rows[0]!.balance);
    const redeemPath = `/api/merchants/${host.user.id}/shop-items/${item.body.id}/redemptions`;
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        request<Redemption & { error?: { code: string } }>(i % 2 ? b : a, 'POST', redeemPath, {
          token: fan.auth.token,
          headers: { 'idempotency-key': `spend-${i}` },
        }),
      ),
    );
    const ok = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status !== 201);
    expect(ok).toHaveLength(Math.min(200, Math.floor(balance / 7)));
    for (const r of refused) expect(r.body.error?.code).toBe('POINTS_INSUFFICIENT');
    const claims = await db.query(
      'SELECT claim_no FROM coupon_claims WHERE coupon_id = $1 AND user_id = $2',
      [coupon.body.id, fan.auth.user.id],
    );
    expect(claims.rows).toHaveLength(ok.length);
    const account = await http<PointsAccount>(
      a,
      'GET',
      `/api/merchants/${host.user.id}/points`,
      undefined,
      fan.auth.token,
    );
    expect(account.body.balance).toBe(balance - 7 * ok.length);
    // The same key again answers the first redemption and spends nothing.
    const replay = await request<Redemption>(a, 'POST', redeemPath, {
      token: fan.auth.token,
      headers: { 'idempotency-key': 'spend-0' },
    });
    expect(replay.status).toBe(results[0]!.status === 201 ? 200 : 409);
    const final = await http<PointsAccount>(
      a,
      'GET',
      `/api/merchants/${host.user.id}/points`,
      undefined,
      fan.auth.token,
    );
    expect(final.body.balance).toBe(account.body.balance);
  }, 120_000);

  it('refuses bad input with stable codes', async () => {
    const put = (body: unknown, token = host.token) =>
      http<{ error: { code: string } }>(a, 'PUT', '/api/growth/rules', body, token);
    expect((await put({ ...RULES, bogusRule: 1 })).body.error.code).toBe('VALIDATION');
    expect((await put({ comment: -1 })).body.error.code).toBe('VALIDATION');
    const viewer = clients[1]!.auth.token;
    expect((await put(RULES, viewer)).status).toBe(403);
    const poor = await guestOn(a, 'poor');
    const items = await http<{ id: string }[]>(
      a,
      'GET',
      `/api/merchants/${host.user.id}/shop-items`,
      undefined,
      poor.token,
    );
    const r = await request<{ error: { code: string; details: unknown } }>(
      a,
      'POST',
      `/api/merchants/${host.user.id}/shop-items/${items.body[0]!.id}/redemptions`,
      { token: poor.token, headers: { 'idempotency-key': 'k' } },
    );
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'POINTS_INSUFFICIENT', details: { balance: 0, cost: 7 } });
    const none = await request<{ error: { code: string } }>(
      a,
      'POST',
      `/api/merchants/${host.user.id}/shop-items/${randomUUID()}/redemptions`,
      { token: poor.token, headers: { 'idempotency-key': 'k' } },
    );
    expect(none.body.error.code).toBe('SHOP_ITEM_NOT_FOUND');
    const noKey = await request<{ error: { code: string } }>(
      a,
      'POST',
      `/api/merchants/${host.user.id}/shop-items/${items.body[0]!.id}/redemptions`,
      { token: poor.token },
    );
    expect(noKey.body.error.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
  });
});
