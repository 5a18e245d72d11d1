import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TokenClaims } from '@lc/contracts/auth.schema';
import {
  LOTTERY_EVENT,
  type Lottery,
  type LotteryAudit,
  type LotterySnapshot,
} from '@lc/contracts/lottery.schema';
import { verifyAudit } from '@lc/contracts/lottery-draw';
import { nodeDrawHash } from '@lc/contracts/node-draw-hash';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestOn, joinAs } from '../../../../test/interaction';
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
import { createLotteriesRepo } from '../../ledger/lotteries.repo';
import { createLotteryPrizesRepo } from '../../ledger/lottery-prizes.repo';
import { buildWorker } from '../../worker-app';

const run = promisify(execFile);

/** Runs the real verifier command on an audit record (or its URL); resolves with its exit code and output. */
async function verifyCli(audit: LotteryAudit | string): Promise<{ code: number; out: string }> {
  let src = audit;
  if (typeof audit !== 'string') {
    src = join(mkdtempSync(join(tmpdir(), 'lc-audit-')), 'audit.json');
    writeFileSync(src, JSON.stringify(audit));
  }
  try {
    const { stdout } = await run('npx', ['tsx', 'scripts/verify-draw.ts', src as string]);
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, out: e.stdout };
  }
}

describe('lottery', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startServer({ ledger: 'postgres' });
    b = await startServer({ env: sharedEnv(a) });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  /** A live with a host socket and a coupon to give away (the lottery only checks that the coupon exists). */
  async function setup(s: TestServer) {
    const { liveId, host } = await hostWithLive(s);
    const hostC = await joinAs(s, host, liveId);
    const { redis, keys } = s.built.deps;
    await redis.hset(keys.coupons(liveId), 'cp_prize', JSON.stringify({ id: 'cp_prize' }));
    const create = async (extra: Record<string, unknown>) => {
      const res = await call<{ lottery: Lottery }>(hostC.socket, 'lottery:create', {
        liveId,
        title: '抽奖 Giveaway',
        prize: { kind: 'coupon', couponId: 'cp_prize' },
        winners: 1,
        durationSec: 600,
        ...extra,
      });
      if (!res.ok) throw new Error(res.error.code);
      return res.data.lottery;
    };
    return { liveId, host, hostC, create };
  }

  const audit = async (s: TestServer, liveId: string, id: string) => {
    const r = await http<LotteryAudit>(s, 'GET', `/api/lives/${liveId}/lotteries/${id}/audit`);
    expect(r.status).toBe(200);
    return r.body;
  };

  it('draws exactly 10 distinct eligible winners of 5,000 entrants, and the verifier reproduces them', async () => {
    const { liveId, hostC, create } = await setup(a);
    const { redis, keys } = a.built.deps;
    const lives = a.built.use('lives');
    const svc = a.built.use('lottery');
    const lottery = await create({ winners: 10, runnersUp: 5, rules: { followsHost: true } });
    expect(lottery.commitment).toMatch(/^[0-9a-f]{64}$/);
    expect(lottery.result).toBeNull();

    // A few real viewers: one follows and enters, one doesn't follow and is refused.
    const fan = await joinAs(b, await guestOn(a, 'fan'), liveId);
    const stranger = await joinAs(a, await guestOn(a, 'stranger'), liveId);
    expect(await call(fan.socket, 'follow:set', { liveId, follow: true })).toMatchObject({ ok: true });
    expect(await call(fan.socket, 'lottery:enter', { liveId, lotteryId: lottery.id })).toMatchObject({
      ok: true,
    });
    expect(await call(fan.socket, 'lottery:enter', { liveId, lotteryId: lottery.id })).toMatchObject({
      ok: false,
      error: { code: 'ALREADY_ENTERED' },
    });
    expect(await call(stranger.socket, 'lottery:enter', { liveId, lotteryId: lottery.id })).toMatchObject({
      ok: false,
      error: { code: 'LOTTERY_NOT_ELIGIBLE', details: { rule: 'followsHost' } },
    });
    expect(await call(hostC.socket, 'lottery:enter', { liveId, lotteryId: lottery.id })).toMatchObject({
      ok: false,
      error: { code: 'LOTTERY_NOT_ELIGIBLE', details: { rule: 'staff' } },
    });

    // 4,999 more through the service (same rules, same Lua), 50 at a time.
    const hostId = await lives.hostOf(liveId);
    const ids = Array.from({ length: 4999 }, (_, i) => `u_bulk${String(i).padStart(5, '0')}`);
    await redis.sadd(keys.followers(hostId), ...ids);
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(
        ids
          .slice(i, i + 50)
          .map((sub) => svc.enter({ sub, name: sub, role: 'viewer' } as TokenClaims, liveId, lottery.id)),
      );
    }
    const snap = await svc.snapshot(liveId, fan.auth.user as unknown as TokenClaims);
    expect(snap.lottery?.entrants).toBe(5000);

    const drawn = await call<{ lottery: Lottery }>(hostC.socket, 'lottery:draw', {
      liveId,
      lotteryId: lottery.id,
    });
    if (!drawn.ok) throw new Error(drawn.error.code);
    const result = drawn.data.lottery.result!;
    expect(result.winners).toHaveLength(10);
    expect(new Set(result.winners).size).toBe(10);
    expect(result.runnersUp).toHaveLength(5);
    const eligible = new Set([...ids, fan.auth.user.id]);
    for (const w of [...result.winners, ...result.runnersUp]) expect(eligible.has(w)).toBe(true);
    expect(nodeDrawHash.sha256Hex(Buffer.from(result.seed, 'hex'))).toBe(lottery.commitment);

    const rec = await audit(a, liveId, lottery.id);
    expect(rec.entrants).toHaveLength(5000);
    expect(rec.winners).toEqual(result.winners);
    expect(verifyAudit(rec, nodeDrawHash)).toEqual({ match: true, problems: [] });
    const ok = await verifyCli(`${a.url}/api/lives/${liveId}/lotteries/${lottery.id}/audit`);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^MATCH 10 winner\(s\) of 5000 entrant\(s\)/);

    // Tampering with any input is caught.
    const seed = `${rec.seed.slice(0, 63)}${rec.seed.endsWith('0') ? '1' : '0'}`;
    expect(verifyAudit({ ...rec, seed }, nodeDrawHash).match).toBe(false);
    expect(verifyAudit({ ...rec, k: 9 }, nodeDrawHash).match).toBe(false);
    expect(verifyAudit({ ...rec, entrants: rec.entrants.slice(1) }, nodeDrawHash).match).toBe(false);
    const swapped = [...rec.entrants.filter((u) => u !== rec.winners[0]), 'u_intruder'].sort();
    expect(verifyAudit({ ...rec, entrants: swapped }, nodeDrawHash).match).toBe(false);
    const bad = await verifyCli({ ...rec, k: 11 });
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/^MISMATCH/);

    // Viewers got the fact, and their own status in the snapshot.
    await waitFor(() => fan.ofType(LOTTERY_EVENT.drawn).length === 1, 5000, 'lottery:drawn');
    const mine = await svc.snapshot(liveId, {
      sub: result.winners[0]!,
      name: 'w',
      role: 'viewer',
    } as TokenClaims);
    expect(mine.me).toBe('won');
    for (const c of [fan, stranger, hostC]) c.close();
  }, 120_000);

  it('enters keyword commenters automatically and excludes those gone before the draw under the presence rule', async () => {
    const { liveId, hostC, create } = await setup(a);
    const lottery = await create({ winners: 3, rules: { keyword: 'Lucky', presentAtDraw: true } });
    const stay = await joinAs(a, await guestOn(a, 'stay'), liveId);
    const leave = await joinAs(b, await guestOn(a, 'leave'), liveId);
    const quiet = await joinAs(a, await guestOn(a, 'quiet'), liveId);
    expect(await call(quiet.socket, 'lottery:enter', { liveId, lotteryId: lottery.id })).toMatchObject({
      ok: false,
      error: { code: 'LOTTERY_NOT_ELIGIBLE', details: { rule: 'keyword' } },
    });
    for (const c of [stay, leave, hostC])
      expect(await call(c.socket, 'comment:send', { liveId, text: 'I feel lucky 🍀' })).toMatchObject({
        ok: true,
      });
    expect(await call(quiet.socket, 'comment:send', { liveId, text: 'hello' })).toMatchObject({ ok: true });
    const { redis, keys } = a.built.deps;
    await waitFor(
      async () => (await redis.scard(keys.lotteryEntrants(liveId, lottery.id))) === 2,
      5000,
      'two keyword entries',
    );
    const snap = await call<{ mode: string; snapshot: { features: { lottery: LotterySnapshot } } }>(
      stay.socket,
      'live:join',
      { liveId },
    );
    expect(snap.ok && snap.data.snapshot.features.lottery.me).toBe('entered');

    leave.close();
    await waitFor(async () => !(await redis.hget(keys.conns(liveId), leave.auth.user.id)), 5000, 'leave');
    const drawn = await call<{ lottery: Lottery }>(hostC.socket, 'lottery:draw', {
      liveId,
      lotteryId: lottery.id,
    });
    if (!drawn.ok) throw new Error(drawn.error.code);
    expect(drawn.data.lottery.result!.winners).toEqual([stay.auth.user.id]);
    const rec = await audit(a, liveId, lottery.id);
    expect(rec.entrants).toEqual([stay.auth.user.id]);
    expect(verifyAudit(rec, nodeDrawHash).match).toBe(true);
    // Too late to enter now.
    expect(await call(quiet.socket, 'comment:send', { liveId, text: 'lucky?' })).toMatchObject({ ok: true });
    expect(await redis.scard(keys.lotteryEntrants(liveId, lottery.id))).toBe(2);
    for (const c of [stay, quiet, hostC]) c.close();
  }, 30_000);

  it('checks watch time and purchase rules on entry', async () => {
    const { liveId, hostC, create } = await setup(a);
    const lottery = await create({ rules: { minWatchMinutes: 2 } });
    const old = await joinAs(a, await guestOn(a, 'old'), liveId);
    const fresh = await joinAs(a, await guestOn(a, 'fresh'), liveId);
    const { redis, keys } = a.built.deps;
    await redis.hset(keys.watchMs(liveId), old.auth.user.id, 2 * 60_000);
    expect(await call(old.socket, 'lottery:enter', { liveId, lotteryId: lottery.id })).toMatchObject({
      ok: true,
    });
    expect(await call(fresh.socket, 'lottery:enter', { liveId, lotteryId: lottery.id })).toMatchObject({
      ok: false,
      error: { code: 'LOTTERY_NOT_ELIGIBLE', details: { rule: 'minWatchMinutes' } },
    });
    // Watch time accrues per session: closing one adds its length.
    fresh.close();
    await waitFor(
      async () => (await redis.hget(keys.watchMs(liveId), fresh.auth.user.id)) !== null,
      5000,
      'session',
    );
    await call(hostC.socket, 'lottery:draw', { liveId, lotteryId: lottery.id });

    const buyersOnly = await create({ rules: { boughtInLive: true } });
    expect(await call(old.socket, 'lottery:enter', { liveId, lotteryId: buyersOnly.id })).toMatchObject({
      ok: false,
      error: { code: 'LOTTERY_NOT_ELIGIBLE', details: { rule: 'boughtInLive' } },
    });
    await redis.sadd(keys.buyers(liveId), old.auth.user.id);
    expect(await call(old.socket, 'lottery:enter', { liveId, lotteryId: buyersOnly.id })).toMatchObject({
      ok: true,
    });
    expect(
      await call(hostC.socket, 'lottery:create', {
        liveId,
        title: 'x',
        prize: { kind: 'coupon', couponId: 'cp_prize' },
        winners: 1,
        durationSec: 60,
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'LOTTERY_ALREADY_OPEN' },
    });
    expect(await http(a, 'GET', `/api/lives/${liveId}/lotteries/${buyersOnly.id}/audit`)).toMatchObject({
      status: 409,
      body: { error: { code: 'LOTTERY_NOT_DRAWN' } },
    });
    for (const c of [old, hostC]) c.close();
  }, 30_000);

  it('draws once when two nodes receive the draw command at the same moment', async () => {
    const { liveId, host, hostC, create } = await setup(a);
    const hostB = await joinAs(b, host, liveId);
    const lottery = await create({ winners: 2 });
    const viewers = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => joinAs(i % 2 ? a : b, await guestOn(a, `v${i}`), liveId)),
    );
    for (const v of viewers)
      expect(await call(v.socket, 'lottery:enter', { liveId, lotteryId: lottery.id })).toMatchObject({
        ok: true,
      });
    const [ra, rb] = await Promise.all([
      call<{ lottery: Lottery }>(hostC.socket, 'lottery:draw', { liveId, lotteryId: lottery.id }),
      call<{ lottery: Lottery }>(hostB.socket, 'lottery:draw', { liveId, lotteryId: lottery.id }),
    ]);
    if (!ra.ok || !rb.ok) throw new Error('draw failed');
    expect(ra.data.lottery.result).toEqual(rb.data.lottery.result);
    expect(ra.data.lottery.result!.winners).toHaveLength(2);
    expect(await createLotteriesRepo(a.built.deps.db).countDraws(lottery.id)).toBe(1);
    const log = await a.built.deps.roomLog.since(liveId, 0);
    const drawnEvents = (log as { events?: { type: string }[] }).events?.filter(
      (e) => e.type === LOTTERY_EVENT.drawn,
    );
    expect(drawnEvents).toHaveLength(1);
    for (const c of [hostC, hostB, ...viewers]) c.close();
  }, 30_000);

  it('finishes a draw whose drawing node died mid-draw (stale `drawing`), once', async () => {
    const { liveId, hostC, create } = await setup(a);
    const lottery = await create({});
    const v = await joinAs(b, await guestOn(a, 'v'), liveId);
    expect(await call(v.socket, 'lottery:enter', { liveId, lotteryId: lottery.id })).toMatchObject({
      ok: true,
    });
    const { redis, keys } = a.built.deps;
    // What a node leaves behind when it dies between the freeze and the ledger write.
    await redis.hset(
      keys.lottery(liveId),
      'status',
      'drawing',
      'drawer',
      'dead',
      'frozenAt',
      Date.now() - 60_000,
    );
    await waitFor(() => v.ofType(LOTTERY_EVENT.drawn).length === 1, 8000, 'recovered draw');
    await new Promise((r) => setTimeout(r, 300));
    expect(v.ofType(LOTTERY_EVENT.drawn)).toHaveLength(1);
    expect(await createLotteriesRepo(a.built.deps.db).countDraws(lottery.id)).toBe(1);
    expect(verifyAudit(await audit(a, liveId, lottery.id), nodeDrawHash).match).toBe(true);
    for (const c of [v, hostC]) c.close();
  }, 20_000);

  it('draws by itself when the entry window ends on the server clock', async () => {
    const { liveId, hostC, create } = await setup(b);
    const lottery = await create({ durationSec: 5 });
    const v = await joinAs(a, await guestOn(b, 'v'), liveId);
    expect(await call(v.socket, 'lottery:enter', { liveId, lotteryId: lottery.id })).toMatchObject({
      ok: true,
    });
    await waitFor(() => v.ofType(LOTTERY_EVENT.drawn).length === 1, 9000, 'automatic draw');
    const [ev] = v.ofType<{ lottery: Lottery }>(LOTTERY_EVENT.drawn);
    expect(ev!.lottery.result!.winners).toEqual([v.auth.user.id]);
    expect(await call(v.socket, 'lottery:enter', { liveId, lotteryId: lottery.id })).toMatchObject({
      ok: false,
      error: { code: 'LOTTERY_CLOSED' },
    });
    for (const c of [v, hostC]) c.close();
  }, 20_000);
});

describe('keyword entries in a full room', () => {
  it('enters keyword commenters whose comments were sampled out of a room over its comment capacity', async () => {
    const s = await startServer({ env: { COMMENT_ROOM_MAX_PER_SEC: '2' } });
    try {
      const { liveId, host } = await hostWithLive(s);
      const hostC = await joinAs(s, host, liveId);
      await s.built.deps.redis.hset(s.built.deps.keys.coupons(liveId), 'cp_prize', '{}');
      const created = await call<{ lottery: Lottery }>(hostC.socket, 'lottery:create', {
        liveId,
        title: 'Keyword storm',
        prize: { kind: 'coupon', couponId: 'cp_prize' },
        winners: 1,
        durationSec: 600,
        rules: { keyword: '口令' },
      });
      if (!created.ok) throw new Error(created.error.code);
      const viewers = await Promise.all(
        Array.from({ length: 8 }, async (_, i) => joinAs(s, await guestOn(s, `k${i}`), liveId)),
      );
      const acks = await Promise.all(
        viewers.map((v) => call(v.socket, 'comment:send', { liveId, text: '口令!' })),
      );
      expect(acks.every((a) => a.ok)).toBe(true);
      const { redis, keys } = s.built.deps;
      // Only 2 of the 8 reached the room this second; all 8 entered.
      const entrants = keys.lotteryEntrants(liveId, created.data.lottery.id);
      await waitFor(async () => (await redis.scard(entrants)) === 8, 5000, 'eight keyword entries');
      for (const c of [hostC, ...viewers]) c.close();
    } finally {
      await s.close();
    }
  }, 30_000);
});

describe('lottery prizes through the worker', () => {
  it('awards the winners when the live ends, tells them (lottery:won), and schedules the forfeit pass at the claim deadline', async () => {
    const s = await startServer({ ledger: 'postgres' });
    const worker = await buildWorker(loadConfig(s.env), pino({ level: 'silent' }));
    try {
      const { liveId, host } = await hostWithLive(s);
      const hostC = await joinAs(s, host, liveId);
      await s.built.deps.redis.hset(s.built.deps.keys.coupons(liveId), 'cp_prize', '{}');
      const created = await call<{ lottery: Lottery }>(hostC.socket, 'lottery:create', {
        liveId,
        title: 'Prize',
        prize: { kind: 'coupon', couponId: 'cp_prize' },
        winners: 1,
        durationSec: 600,
      });
      if (!created.ok) throw new Error(created.error.code);
      const v = await joinAs(s, await guestOn(s, 'v'), liveId);
      const won: unknown[] = [];
      v.socket.on('lottery:won', (w) => won.push(w));
      await call(v.socket, 'lottery:enter', { liveId, lotteryId: created.data.lottery.id });
      await call(hostC.socket, 'lottery:draw', { liveId, lotteryId: created.data.lottery.id });
      await http(s, 'POST', `/api/lives/${liveId}/end`, undefined, host.token);
      const prizes = createLotteryPrizesRepo(s.built.deps.db);
      const rows = await waitFor(
        async () => {
          const r = await prizes.list(created.data.lottery.id);
          return r.length > 0 && r;
        },
        10_000,
        'prize rows',
      );
      expect(rows.map((r) => [r.userId, r.status])).toEqual([[v.auth.user.id, 'awarded']]);
      // The worker (no Socket.IO server of its own) told the winner's socket on the API node.
      await waitFor(() => won.length === 1, 5000, 'lottery:won from the worker');
      expect(won[0]).toMatchObject({
        liveId,
        prize: { lotteryId: created.data.lottery.id, status: 'awarded' },
      });
      const rerunId = `lottery-prizes-${liveId}-${rows[0]!.claimDeadline}`;
      await waitFor(
        async () => (await s.built.deps.endQueue.getDelayed()).some((j) => j.id === rerunId),
        5000,
        'the forfeit pass scheduled at the deadline',
      );
      for (const c of [hostC, v]) c.close();
    } finally {
      await worker.close();
      await s.close();
    }
  }, 30_000);
});
