import type { TokenClaims } from '@lc/contracts/auth.schema';
import type { Coupon } from '@lc/contracts/commerce.schema';
import type { Lottery, MyPrize } from '@lc/contracts/lottery.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProduct } from '../../../../test/commerce';
import { guestOn, joinAs } from '../../../../test/interaction';
import {
  call,
  connect,
  hostWithLive,
  http,
  sharedEnv,
  startServer,
  type TestServer,
  waitFor,
} from '../../../../test/server';
import { createLotteryPrizesRepo } from '../../ledger/lottery-prizes.repo';
import { buildReport } from '../commerce/settlement/report';
import { lotteryPrizesStep } from './lottery.jobs';
import { prizeNotifier } from './prize-notifier';

const address = { name: '王小明', phone: '+86 138 0000 0000', address: '1 Road, Shanghai' };
type Won = { liveId: string; prize: MyPrize };

describe.each(['pglite', 'postgres'] as const)('lottery prizes on %s', (ledger) => {
  let s: TestServer;
  /** On PostgreSQL a second node holds half of the players' sockets: `lottery:won` must reach both nodes. */
  let b: TestServer | undefined;
  beforeAll(async () => {
    s = await startServer({ ledger });
    if (ledger === 'postgres') b = await startServer({ env: sharedEnv(s) });
  });
  afterAll(async () => {
    await Promise.all([s?.close(), b?.close()]);
  });

  /** A live, its host socket, `n` entrants with sockets that record `lottery:won`, and a lottery drawn. */
  async function drawn(prize: Record<string, unknown> | 'coupon' | 'product', winners: number, n: number) {
    const { liveId, host } = await hostWithLive(s);
    const hostC = await joinAs(s, host, liveId);
    let p = prize;
    if (p === 'coupon') {
      const c = await http<Coupon>(
        s,
        'POST',
        `/api/lives/${liveId}/coupons`,
        { kind: 'amount_off', amountOff: 500, title: 'Prize coupon', currency: 'CNY', quota: 1 },
        host.token,
      );
      expect(c.status).toBe(201);
      p = { kind: 'coupon', couponId: c.body.id };
    } else if (p === 'product') {
      p = { kind: 'product', productId: (await addProduct(s, host.token, liveId)).id };
    }
    const created = await call<{ lottery: Lottery }>(hostC.socket, 'lottery:create', {
      liveId,
      title: 'Prize',
      prize: p,
      winners,
      runnersUp: winners,
      durationSec: 600,
    });
    if (!created.ok) throw new Error(created.error.code);
    const id = created.data.lottery.id;
    const players = await Promise.all(Array.from({ length: n }, (_, i) => guestOn(s, `p${i}`)));
    const won = new Map<string, Won[]>();
    const sockets = new Map<string, Awaited<ReturnType<typeof connect>>>();
    for (const [i, pl] of players.entries()) {
      await s.built
        .use('lottery')
        .enter({ sub: pl.user.id, name: 'p', role: 'viewer' } as TokenClaims, liveId, id);
      const sock = await connect(b && i % 2 === 1 ? b : s, pl.token);
      won.set(pl.user.id, []);
      sock.on('lottery:won', (w) => won.get(pl.user.id)!.push(w));
      sockets.set(pl.user.id, sock);
    }
    const res = await call<{ lottery: Lottery }>(hostC.socket, 'lottery:draw', { liveId, lotteryId: id });
    if (!res.ok) throw new Error(res.error.code);
    hostC.close();
    const tokenOf = new Map(players.map((pl) => [pl.user.id, pl.token]));
    const close = () => {
      for (const sock of sockets.values()) sock.close();
    };
    return { liveId, id, prize: p, result: res.data.lottery.result!, tokenOf, won, sockets, close };
  }

  function stepWithClock(liveId: string) {
    const { db, redis, keys } = s.built.deps;
    const clock = { now: Date.now() };
    const step = lotteryPrizesStep({
      claimMs: 60_000,
      now: () => clock.now,
      notify: prizeNotifier(redis, keys),
    });
    const ctx = {
      liveId,
      endedAt: new Date().toISOString(),
      db,
      redis,
      keys,
      log: console,
      progress: async () => {},
    };
    return { clock, run: () => step.run(ctx) };
  }

  const couponClaims = async (couponId: string) =>
    (
      await s.built.deps.db.query<{ user_id: string; claim_no: number }>(
        'SELECT user_id, claim_no FROM coupon_claims WHERE coupon_id = $1 ORDER BY user_id',
        [couponId],
      )
    ).rows;

  it('issues each coupon prize once however often settlement runs; a forfeited prize passes to the first runner-up with its coupon and notification', async () => {
    const t = await drawn('coupon', 2, 6);
    const { winners, runnersUp } = t.result;
    const couponId = (t.prize as { couponId: string }).couponId;
    const step = stepWithClock(t.liveId);
    expect(await step.run()).toMatchObject({ awarded: 2, reassigned: 0 });
    expect(await step.run()).toMatchObject({ awarded: 0, reassigned: 0 });
    // Each winner hears of their offer once (two settlement runs, one notification each).
    for (const [slot, w] of winners.entries()) {
      const got = await waitFor(() => t.won.get(w)!.length > 0 && t.won.get(w)!, 5000, `lottery:won to ${w}`);
      expect(
        got.map((x) => [x.liveId, x.prize.lotteryId, x.prize.slot, x.prize.attempt, x.prize.status]),
      ).toEqual([[t.liveId, t.id, slot, 0, 'awarded']]);
    }
    // Nothing is issued before a claim: an unclaimed offer holds no coupon.
    expect(await couponClaims(couponId)).toEqual([]);

    const claimUrl = `/api/lives/${t.liveId}/lotteries/${t.id}/claim`;
    const first = await http<{ claimed: true; prize: MyPrize }>(
      s,
      'POST',
      claimUrl,
      address,
      t.tokenOf.get(winners[0]!),
    );
    expect(first).toMatchObject({
      status: 200,
      body: { claimed: true, prize: { slot: 0, status: 'claimed' } },
    });
    expect(first.body.prize.issued).toEqual({ couponClaimNo: 1, orderId: null });
    expect(await http(s, 'POST', claimUrl, address, t.tokenOf.get(winners[0]!))).toMatchObject({
      status: 409,
      body: { error: { code: 'PRIZE_NOT_CLAIMABLE' } },
    });

    // The second winner lets the deadline pass: the slot passes to the first runner-up, who is told.
    step.clock.now += 61_000;
    expect(await step.run()).toMatchObject({ awarded: 0, reassigned: 1 });
    expect(await step.run()).toMatchObject({ awarded: 0, reassigned: 0 });
    const heir = runnersUp[0]!;
    const told = await waitFor(
      () => t.won.get(heir)!.length > 0 && t.won.get(heir)!,
      5000,
      'lottery:won to heir',
    );
    expect(told.map((x) => [x.prize.slot, x.prize.attempt, x.prize.status])).toEqual([[1, 1, 'awarded']]);
    expect(t.won.get(runnersUp[1]!)).toEqual([]);
    expect(await http(s, 'POST', claimUrl, address, t.tokenOf.get(winners[1]!))).toMatchObject({
      status: 409,
      body: { error: { code: 'PRIZE_NOT_CLAIMABLE' } },
    });

    // The runner-up claims over the socket; bad input is refused with VALIDATION first.
    const sock = t.sockets.get(heir)!;
    expect(await call(sock, 'lottery:claim', { liveId: t.liveId, lotteryId: t.id })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
    expect(
      await call(sock, 'lottery:claim', { liveId: t.liveId, lotteryId: 'nope', shipping: address }),
    ).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const viaSocket = await call<{ claimed: true; prize: MyPrize }>(sock, 'lottery:claim', {
      liveId: t.liveId,
      lotteryId: t.id,
      shipping: address,
    });
    expect(viaSocket).toMatchObject({ ok: true, data: { claimed: true, prize: { slot: 1, attempt: 1 } } });
    expect(
      await call(sock, 'lottery:claim', { liveId: t.liveId, lotteryId: t.id, shipping: address }),
    ).toMatchObject({
      ok: false,
      error: { code: 'PRIZE_NOT_CLAIMABLE' },
    });
    await step.run();

    // The ledger: one coupon claim per slot, to whoever claimed it; the forfeited winner holds nothing.
    expect(await couponClaims(couponId)).toEqual(
      [
        { user_id: winners[0], claim_no: 1 },
        { user_id: heir, claim_no: 1 },
      ].sort((a, b) => a.user_id!.localeCompare(b.user_id!)),
    );
    const rows = await createLotteryPrizesRepo(s.built.deps.db).list(t.id);
    expect(rows.map((r) => [r.slot, r.attempt, r.userId, r.status, r.issued?.couponClaimNo ?? null])).toEqual(
      [
        [0, 0, winners[0], 'claimed', 1],
        [1, 0, winners[1], 'forfeited', null],
        [1, 1, heir, 'claimed', 1],
      ],
    );
    // My prizes, over REST and over the socket.
    const mine = await http<{ prizes: MyPrize[] }>(
      s,
      'GET',
      '/api/me/prizes',
      undefined,
      t.tokenOf.get(winners[1]!),
    );
    expect(mine.body.prizes.map((p) => [p.lotteryId, p.status, p.issued])).toEqual([
      [t.id, 'forfeited', null],
    ]);
    expect(await call(sock, 'lottery:prizes', { liveId: t.liveId })).toMatchObject({
      ok: true,
      data: { prizes: [{ lotteryId: t.id, status: 'claimed', issued: { couponClaimNo: 1 } }] },
    });
    t.close();
  }, 60_000);

  it('issues a product prize as one zero-price prize order that settlement reports leave out of GMV and buyers', async () => {
    const t = await drawn('product', 1, 3);
    const winner = t.result.winners[0]!;
    const step = stepWithClock(t.liveId);
    await step.run();
    await step.run();
    const sock = t.sockets.get(winner)!;
    await waitFor(() => t.won.get(winner)!.length === 1, 5000, 'lottery:won');
    const claimed = await call<{ prize: MyPrize }>(sock, 'lottery:claim', {
      liveId: t.liveId,
      lotteryId: t.id,
      shipping: address,
    });
    if (!claimed.ok) throw new Error(claimed.error.code);
    await step.run();
    expect(
      await call(sock, 'lottery:claim', { liveId: t.liveId, lotteryId: t.id, shipping: address }),
    ).toMatchObject({
      ok: false,
      error: { code: 'PRIZE_NOT_CLAIMABLE' },
    });
    const { rows } = await s.built.deps.db.query<Record<string, unknown>>(
      `SELECT id, user_id, kind, total, quantity, status, idempotency_key, shipping, sale_id
         FROM orders WHERE live_id = $1`,
      [t.liveId],
    );
    expect(rows).toEqual([
      {
        id: claimed.data.prize.issued!.orderId,
        user_id: winner,
        kind: 'prize',
        total: '0',
        quantity: 1,
        status: 'settled',
        idempotency_key: `prize:${t.id}:0:0`,
        shipping: address,
        sale_id: null,
      },
    ]);
    // Not a sale: the commerce report counts no order, buyer or GMV for it, and the buyer's order list skips it.
    const { db, redis, keys } = s.built.deps;
    expect(await buildReport(db, redis, keys, t.liveId)).toMatchObject({
      orders: 0,
      units: 0,
      buyers: 0,
      gmv: {},
    });
    const orders = await http<{ orders: unknown[] }>(
      s,
      'GET',
      `/api/lives/${t.liveId}/orders`,
      undefined,
      t.tokenOf.get(winner),
    );
    expect(orders).toMatchObject({ status: 200, body: { orders: [] } });
    t.close();
  }, 60_000);
});
