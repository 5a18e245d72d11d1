import type { GroupBuyJoinResult, GroupBuyLink } from '@lc/contracts/groupbuy.schema';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bidder, bidders, ofType } from '../../../../test/auctions';
import { reserve, saleCounters } from '../../../../test/commerce';
import { groupBuyLive, joinGroup, payHold, spawnWorker } from '../../../../test/groupbuys';
import { call, http, sharedEnv, startServer, type TestServer, waitFor } from '../../../../test/server';
import { loadConfig } from '../../config';
import type { StepContext } from '../../jobs/end-of-live';
import { createGroupBuysRepo } from '../../ledger/group-buys.repo';
import { buildWorker } from '../../worker-app';
import { createSimulatedProvider } from '../commerce/payments/sim-provider';
import { createReservationSweeper } from '../commerce/sales/reservation-sweeper';
import { COMMERCE_SETTLEMENT_STEP } from '../commerce/settlement/settlement.jobs';
import { createGroupClock } from './group-clock';
import { recordDecision } from './group-decision';
import { expireKeys } from './group-state';
import { GROUPBUY_SETTLEMENT_STEP } from './groupbuys.feature';

const ok = <T>(r: { ok: boolean; data?: T; error?: unknown }): T => {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.data as T;
};

/** Ledger totals of a live's group buys: orders by status, refunds, groups by status, members. */
async function ledgerOf(s: TestServer, liveId: string) {
  const { db } = s.built.deps;
  const q = async (sql: string) => (await db.query<Record<string, unknown>>(sql, [liveId])).rows;
  return {
    orders: Object.fromEntries(
      (await q(`SELECT status, count(*)::int AS n FROM orders WHERE live_id = $1 GROUP BY status`)).map(
        (r) => [r.status, r.n],
      ),
    ),
    refunds: await q(
      `SELECT r.user_id, r.amount::int AS amount, p.status FROM group_buy_refunds r JOIN payments p ON p.id = r.payment_id
       JOIN group_buy_groups g ON g.id = r.group_id WHERE g.live_id = $1 ORDER BY r.user_id`,
    ),
    groups: Object.fromEntries(
      (
        await q(`SELECT status, count(*)::int AS n FROM group_buy_groups WHERE live_id = $1 GROUP BY status`)
      ).map((r) => [r.status, r.n]),
    ),
    members: await q(
      `SELECT m.user_id, m.via_user_id FROM group_buy_members m JOIN group_buy_groups g ON g.id = m.group_id
       WHERE g.live_id = $1`,
    ),
  };
}

describe('group buys across two nodes (PostgreSQL ledger, worker in process)', () => {
  let a: TestServer;
  let b: TestServer;
  let worker: Awaited<ReturnType<typeof buildWorker>>;
  beforeAll(async () => {
    const env = { GROUPBUY_TICK_MS: '50', PAYMENT_SIM_DELAY_MS: '20' };
    a = await startServer({ ledger: 'postgres', env });
    b = await startServer({ env: { ...sharedEnv(a), ...env } });
    worker = await buildWorker(loadConfig(a.env), pino({ level: 'silent' }), a.built.infra);
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await b?.close();
    await a?.close();
  });

  it('refuses bad input with stable codes', async () => {
    const { liveId, hostSocket, offer, product } = await groupBuyLive(a);
    const o = await offer({ groupSize: 2, units: 2 });
    const [v, w, x] = await bidders(a, liveId, 3, 'bad');
    const base = { liveId, productId: product.id, groupPrice: 100, groupSize: 3, units: 6, limitSec: 60 };
    expect(await call(v!.socket, 'groupbuy:offer', base)).toMatchObject({ error: { code: 'FORBIDDEN' } });
    for (const over of [
      { groupSize: 1 },
      { groupPrice: '100' },
      { groupPrice: 0 },
      { units: 2 },
      { limitSec: 1 },
      { extra: true },
    ]) {
      expect(
        await call(hostSocket, 'groupbuy:offer', { ...base, ...over }),
        JSON.stringify(over),
      ).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION' },
      });
    }
    expect(await call(hostSocket, 'groupbuy:join', { liveId, offerId: o.id })).toMatchObject({
      error: { code: 'FORBIDDEN' },
    });
    for (const bad of [{ offerId: 'nope' }, { offerId: o.id, groupId: 5 }, { offerId: o.id, x: 1 }]) {
      expect(await call(v!.socket, 'groupbuy:join', { liveId, ...bad })).toMatchObject({
        error: { code: 'VALIDATION' },
      });
    }
    expect(await joinGroup(v!, liveId, crypto.randomUUID())).toMatchObject({
      error: { code: 'GROUPBUY_NOT_FOUND' },
    });
    expect(await joinGroup(v!, liveId, o.id, crypto.randomUUID())).toMatchObject({
      error: { code: 'GROUP_NOT_FOUND' },
    });
    const started = ok(await joinGroup(v!, liveId, o.id));
    expect(started.group).toMatchObject({
      members: 1,
      size: 2,
      status: 'open',
      leader: { id: v!.auth.user.id },
    });
    expect(await joinGroup(v!, liveId, o.id, started.group.id)).toMatchObject({
      error: { code: 'ALREADY_IN_GROUP', details: { groupId: started.group.id } },
    });
    expect(await call(w!.socket, 'groupbuy:link', { liveId, groupId: started.group.id })).toMatchObject({
      error: { code: 'GROUP_NOT_FOUND' },
    });
    expect(ok(await joinGroup(w!, liveId, o.id, started.group.id)).group).toMatchObject({
      members: 2,
      status: 'filled',
    });
    expect(await joinGroup(x!, liveId, o.id, started.group.id)).toMatchObject({
      error: { code: 'GROUP_FULL' },
    });
    // Both units are held: a new group has none left.
    expect(await joinGroup(x!, liveId, o.id)).toMatchObject({ error: { code: 'SOLD_OUT' } });
    // The offer's sale is no flash sale: a reserve through the sales route is refused.
    const r = await reserve(a, x!.auth.token, liveId, o.saleId);
    expect(r.body.error?.code).toBe('SALE_ENDED');
    for (const m of [v, w, x]) m!.close();
  });

  it('never overfills a group when 12 viewers on two nodes race for its last 4 seats', async () => {
    const { liveId, offer } = await groupBuyLive(a);
    const o = await offer({ groupSize: 5, units: 20 });
    const [leader] = await bidders(a, liveId, 1, 'lead');
    const racers = [...(await bidders(a, liveId, 6, 'ra')), ...(await bidders(b, liveId, 6, 'rb'))];
    const g = ok(await joinGroup(leader!, liveId, o.id)).group;
    const res = await Promise.all(racers.map((r) => joinGroup(r, liveId, o.id, g.id)));
    const won = res.filter((r) => r.ok);
    expect(won).toHaveLength(4);
    expect(res.filter((r) => !r.ok).map((r) => (r as { error: { code: string } }).error.code)).toEqual(
      Array(8).fill('GROUP_FULL'),
    );
    expect(won.filter((r) => (r.data as GroupBuyJoinResult).group.status === 'filled')).toHaveLength(1);
    expect(await saleCounters(a, liveId, o.saleId)).toEqual({
      initial: 20,
      remaining: 15,
      reserved: 5,
      sold: 0,
    });
    await waitFor(() => ofType(leader!.events, 'groupbuy:filled').length === 1, 10_000, 'filled event');
    await waitFor(async () => (await ledgerOf(a, liveId)).groups.filled === 1, 10_000, 'filled recorded');
    expect(ofType<{ members: number }>(leader!.events, 'groupbuy:progress').map((e) => e.members)).toEqual([
      1, 2, 3, 4, 5,
    ]);
    for (const m of [leader, ...racers]) m!.close();
  });

  it('3 groups of 5, 13 joiners on two nodes: two fill, one expires; stock, orders and refunds add up', async () => {
    const { liveId, offer } = await groupBuyLive(a);
    const o = await offer({ groupSize: 5, units: 20, limitSec: 6 });
    const leaders = [...(await bidders(a, liveId, 2, 'la')), ...(await bidders(b, liveId, 1, 'lb'))];
    const joiners = [...(await bidders(a, liveId, 5, 'ja')), ...(await bidders(b, liveId, 5, 'jb'))];
    const starts = await Promise.all(leaders.map((l) => joinGroup(l, liveId, o.id)));
    const groups = starts.map((r) => ok(r).group);
    const links = await Promise.all(
      leaders.map((l, i) =>
        call<GroupBuyLink>(l.socket, 'groupbuy:link', { liveId, groupId: groups[i]!.id }),
      ),
    );
    // 4 + 4 join the first two groups (through their leaders' links), 2 the third: it cannot fill.
    const target = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2];
    const joins = await Promise.all(
      joiners.map((j, k) => joinGroup(j, liveId, o.id, groups[target[k]!]!.id, ok(links[target[k]!]!).ref)),
    );
    const holds = [...starts, ...joins].map((r) => ok(r));
    const members: Bidder[] = [...leaders, ...joiners];
    expect(holds.filter((h) => h.group.status === 'filled')).toHaveLength(2);
    // Everyone pays their hold (the third group's members too: they are refunded when it expires).
    await Promise.all(members.map((m, i) => payHold(i % 2 ? b : a, m, liveId, holds[i]!.reservationId)));
    const third = groups[2]!;
    const watcher = leaders[0]!;
    await waitFor(() => ofType(watcher.events, 'groupbuy:expired').length === 1, 20_000, 'groupbuy:expired');
    expect(ofType(watcher.events, 'groupbuy:expired')[0]).toMatchObject({ groupId: third.id, refunds: 3 });
    await waitFor(async () => (await ledgerOf(a, liveId)).refunds.length === 3, 20_000, 'refunds recorded');
    // Its seats are freed: its members may start or join another group; it takes no one.
    expect(await joinGroup(joiners[9]!, liveId, o.id, third.id)).toMatchObject({
      error: { code: 'GROUP_EXPIRED' },
    });
    const late = (await bidders(b, liveId, 1, 'late'))[0]!;
    expect(await joinGroup(late, liveId, o.id, third.id)).toMatchObject({ error: { code: 'GROUP_EXPIRED' } });

    // Stock: 10 sold, the third group's 3 units back; nothing held.
    expect(await saleCounters(a, liveId, o.saleId)).toEqual({
      initial: 20,
      remaining: 10,
      reserved: 0,
      sold: 10,
    });
    const ledger = await ledgerOf(a, liveId);
    expect(ledger.orders).toEqual({ paid: 10, refunded: 3 });
    expect(ledger.groups).toEqual({ filled: 2, expired: 1 });
    const thirdIds = [leaders[2]!, joiners[8]!, joiners[9]!].map((m) => m.auth.user.id).sort();
    expect(ledger.refunds).toEqual(thirdIds.map((id) => ({ user_id: id, amount: 1500, status: 'refunded' })));
    // Joins through a leader's link are attributed to that leader.
    const via = Object.fromEntries(ledger.members.map((m) => [m.user_id, m.via_user_id]));
    expect(joiners.map((j) => via[j.auth.user.id])).toEqual(target.map((t) => leaders[t]!.auth.user.id));
    expect(leaders.map((l) => via[l.auth.user.id])).toEqual([null, null, null]);
    // Every member saw the progress of their group up to the end, in seq order.
    expect(members.every((m) => m.gaps === 0)).toBe(true);
    expect(ofType(watcher.events, 'groupbuy:filled')).toHaveLength(2);
    // The live's snapshot lists no open group any more; the third group's members hold no seat.
    const snap = await call<{ snapshot: { features: { groupbuys: { groups: unknown[]; mine: object } } } }>(
      late.socket,
      'live:join',
      { liveId },
    );
    expect(ok(snap).snapshot.features.groupbuys).toMatchObject({ groups: [], mine: {} });
    for (const m of [...members, late]) m.close();
  }, 90_000);

  it('settles a filled group once at the end of the live and refunds an open one', async () => {
    const { host, liveId, offer } = await groupBuyLive(a);
    const o = await offer({ groupSize: 2, units: 4, limitSec: 600 });
    const [p, q, r] = await bidders(a, liveId, 3, 'end');
    const g1 = ok(await joinGroup(p!, liveId, o.id));
    const g1b = ok(await joinGroup(q!, liveId, o.id, g1.group.id));
    const g2 = ok(await joinGroup(r!, liveId, o.id));
    for (const [m, h] of [
      [p!, g1],
      [q!, g1b],
      [r!, g2],
    ] as const)
      await payHold(a, m, liveId, h.reservationId);
    await http(a, 'POST', `/api/lives/${liveId}/end`, undefined, host.token);
    for (const step of [COMMERCE_SETTLEMENT_STEP, GROUPBUY_SETTLEMENT_STEP]) {
      const job = await waitFor(() => a.built.deps.endQueue.getJob(`${step}-${liveId}`), 10_000, step);
      await waitFor(async () => (await job.getState()) === 'completed', 60_000, `${step} completed`);
    }
    await waitFor(
      async () => (await ledgerOf(a, liveId)).refunds.length === 1,
      20_000,
      'open group refunded',
    );
    const ledger = await ledgerOf(a, liveId);
    expect(ledger.orders).toEqual({ settled: 2, refunded: 1 });
    expect(ledger.groups).toEqual({ filled: 1, expired: 1 });
    expect(await saleCounters(a, liveId, o.saleId)).toMatchObject({ sold: 2, reserved: 0, remaining: 2 });
    // Settlement again changes nothing.
    await worker.steps.get(GROUPBUY_SETTLEMENT_STEP)!.run({ liveId } as StepContext);
    expect(await ledgerOf(a, liveId)).toEqual(ledger);
    // After the live (and the group-buy step), the room-keys step hands the group keys back to Redis.
    const { redis, keys } = a.built.deps;
    await waitFor(
      async () => (await redis.ttl(keys.groupBuy(liveId, o.id))) > 0,
      30_000,
      'offer keys expire',
    );
    expect(await redis.ttl(keys.groupMembers(liveId, g2.group.id))).toBeGreaterThan(0);
    for (const m of [p, q, r]) m!.close();
  }, 90_000);
});

describe('group-buy expiry when the worker crashes (PostgreSQL ledger)', () => {
  let a: TestServer;
  beforeAll(async () => {
    a = await startServer({ ledger: 'postgres', env: { PAYMENT_SIM_DELAY_MS: '20' } });
  }, 60_000);
  afterAll(async () => {
    await a?.close();
  });

  /** A group of `paid + 1` seats with `paid` members who paid; resolves once its time limit passed. */
  async function unfilledPaidGroup(paid: number) {
    const { liveId, offer } = await groupBuyLive(a);
    const o = await offer({ groupSize: paid + 1, units: 10, limitSec: 5 });
    const ms = await bidders(a, liveId, paid, 'crash');
    const first = ok(await joinGroup(ms[0]!, liveId, o.id));
    const rest = await Promise.all(ms.slice(1).map((m) => joinGroup(m, liveId, o.id, first.group.id)));
    const holds = [first, ...rest.map((r) => ok(r))];
    await Promise.all(ms.map((m, i) => payHold(a, m, liveId, holds[i]!.reservationId)));
    return { liveId, o, group: first.group, members: ms };
  }

  async function refundState(liveId: string, groupId: string) {
    const { db } = a.built.deps;
    const { rows } = await db.query<{ refunds: number; payments: number; orders: number }>(
      `SELECT (SELECT count(*)::int FROM group_buy_refunds WHERE group_id = $2) AS refunds,
         (SELECT count(*)::int FROM payments WHERE live_id = $1 AND status = 'refunded') AS payments,
         (SELECT count(*)::int FROM orders WHERE live_id = $1 AND status = 'refunded') AS orders`,
      [liveId, groupId],
    );
    const members = await a.built.deps.redis.hgetall(a.built.deps.keys.groupMembers(liveId, groupId));
    const done = Object.values(members).filter((m) => JSON.parse(m).refund === 'done').length;
    return { ...rows[0]!, done };
  }

  it('refunds once when the worker died between the ledger row and the provider call', async () => {
    const { liveId, o, group, members } = await unfilledPaidGroup(3);
    await new Promise((r) => setTimeout(r, Math.max(0, group.expiresAt + 50 - Date.now())));
    const { redis, scripts, keys, db } = a.built.deps;
    const repo = createGroupBuysRepo(db);
    // The crashed worker's part: the expiry step, the group's record, the first member's refund row — no more.
    const [code, payload] = await scripts.run<[number, string]>(
      'groupbuy-expire',
      expireKeys(keys, liveId, o.id, group.id, o.saleId, o.productId),
      [1000],
    );
    expect(code).toBe(1);
    const pending = JSON.parse(payload) as {
      userId: string;
      reservationId: string;
      paymentId: string;
      amount: number;
    }[];
    expect(pending).toHaveLength(3);
    await recordDecision({ redis, keys, repo }, liveId, { ...group, status: 'expired' });
    expect(await repo.recordRefund({ groupId: group.id, ...pending[0]! })).toBe('recorded');
    // The next worker's clock finishes the job: each payment refunded once, in the ledger and by the provider.
    const provider = createSimulatedProvider({
      secret: 'x',
      callbackUrl: () => '',
      delayMs: 0,
      toleranceSec: 300,
    });
    const clock = createGroupClock({
      redis,
      scripts,
      keys,
      repo,
      provider,
      sweeper: createReservationSweeper({ redis, scripts, keys }),
      roomLogMaxLen: 1000,
      onError: (err) => {
        throw err;
      },
    });
    expect(await clock.step(liveId, group.id)).toBeUndefined();
    expect(await clock.step(liveId, group.id)).toBeUndefined();
    expect(await refundState(liveId, group.id)).toEqual({ refunds: 3, payments: 3, orders: 3, done: 3 });
    expect([...provider.refunds.keys()].sort()).toEqual(pending.map((p) => p.paymentId).sort());
    expect(await saleCounters(a, liveId, o.saleId)).toEqual({
      initial: 10,
      remaining: 10,
      reserved: 0,
      sold: 0,
    });
    for (const m of members) m.close();
  }, 60_000);

  it('refunds every member exactly once when the worker process is SIGKILLed as the group expires', async () => {
    const { liveId, o, group, members } = await unfilledPaidGroup(4);
    const env = { ...a.env, GROUPBUY_TICK_MS: '20' };
    const first = await spawnWorker(env);
    const { redis, keys } = a.built.deps;
    try {
      // Kill it the moment its clock has expired the group (Redis), mid-way through the refunds or just after.
      await waitFor(
        async () => (await redis.hget(keys.group(liveId, group.id), 'status')) === 'expired',
        60_000,
        'group expired by the worker',
      );
      await first.kill();
    } finally {
      await first.kill();
    }
    const second = await spawnWorker(env);
    try {
      await waitFor(async () => (await refundState(liveId, group.id)).done === 4, 60_000, 'refunds finished');
    } finally {
      await second.stop();
    }
    expect(await refundState(liveId, group.id)).toEqual({ refunds: 4, payments: 4, orders: 4, done: 4 });
    expect(await saleCounters(a, liveId, o.saleId)).toEqual({
      initial: 10,
      remaining: 10,
      reserved: 0,
      sold: 0,
    });
    for (const m of members) m.close();
  }, 120_000);
});
