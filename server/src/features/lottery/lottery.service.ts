/**
 * Lotteries: one open lottery per live (Lua), one entry per user (Lua, refused outside the window on the server
 * clock), explicit or by keyword comment; entrant counts go out at a bounded rate; the draw happens exactly once
 * (Lua guard open → drawing, then the ledger's primary key on the draw row), by the host, the creating node's
 * timer or any node's ticker once the window ended. The draw itself is the pure `draw()` of the contracts.
 */
import { randomUUID } from 'node:crypto';
import type { TokenClaims } from '@lc/contracts/auth.schema';
import { AppError } from '@lc/contracts/errors';
import {
  LOTTERY_EVENT,
  type Lottery,
  type LotteryAudit,
  LotteryCreatePayload,
  type LotterySnapshot,
} from '@lc/contracts/lottery.schema';
import { commitmentOf, draw } from '@lc/contracts/lottery-draw';
import { newSeed, nodeDrawHash } from '@lc/contracts/node-draw-hash';
import type { Redis } from 'ioredis';
import type { LotteriesRepo } from '../../ledger/lotteries.repo';
import type { RoomLog } from '../../realtime/room-log';
import type { Keys } from '../../redis/keys';
import { checkScript } from '../../redis/script-results';
import type { Scripts } from '../../redis/scripts';
import { type EligibilityFacts, firstFailedRule } from './lottery.eligibility';

type Log = { warn(o: object, m?: string): void };
type Base = Omit<Lottery, 'status' | 'entrants' | 'result'>;
export type LotteryCount = { lotteryId: string; entrants: number };

const DRAW_WAIT_MS = 10_000;
const KEYWORD_CACHE_MS = 500;
/** A draw still `drawing` after this long lost its node; any node's ticker finishes it. */
const STALE_DRAW_MS = 30_000;

export function createLotteryService(deps: {
  redis: Redis;
  scripts: Scripts;
  keys: Keys;
  roomLog: RoomLog;
  repo: LotteriesRepo;
  facts: Omit<EligibilityFacts, 'present'>;
  nodeId: string;
  staleDrawMs?: number;
  log?: Log;
  now?: () => number;
}) {
  const { redis, scripts, keys, repo } = deps;
  const now = deps.now ?? Date.now;
  const timers = new Set<NodeJS.Timeout>();
  const facts: EligibilityFacts = {
    ...deps.facts,
    present: async (liveId, userId) => Number((await redis.hget(keys.conns(liveId), userId)) ?? 0) > 0,
  };

  const current = async (liveId: string) => {
    const [id, json, status, result] = await redis.hmget(
      keys.lottery(liveId),
      'id',
      'json',
      'status',
      'result',
    );
    if (!id || !json) return null;
    return {
      base: JSON.parse(json) as Base,
      status: status as Lottery['status'],
      result: result ? (JSON.parse(result) as NonNullable<Lottery['result']>) : null,
    };
  };

  const view = async (
    liveId: string,
    cur: NonNullable<Awaited<ReturnType<typeof current>>>,
  ): Promise<Lottery> => ({
    ...cur.base,
    status: cur.status,
    entrants: await redis.scard(keys.lotteryEntrants(liveId, cur.base.id)),
    result: cur.result,
  });

  const byId = async (liveId: string, lotteryId: string) => {
    const cur = await current(liveId);
    if (cur?.base.id !== lotteryId) throw new AppError('LOTTERY_NOT_FOUND', 'no such lottery in this live');
    return cur;
  };

  /**
   * Draws if due (or `force`); exactly one caller across nodes runs the draw, the others wait for its result.
   * Returns null when not due yet. @throws LOTTERY_NOT_FOUND
   */
  const drawIfDue = async (liveId: string, lotteryId: string, force: boolean): Promise<Lottery | null> => {
    const code = await scripts.run<number>(
      'lottery-freeze',
      [keys.lottery(liveId)],
      [lotteryId, now(), force ? 1 : 0, deps.nodeId],
    );
    if (checkScript('lottery-freeze', code) === -3) return null;
    if (code === -2) {
      // NOTE: another caller (maybe on another node) is drawing: answer its result once published.
      const until = Date.now() + DRAW_WAIT_MS;
      for (;;) {
        const cur = await byId(liveId, lotteryId);
        if (cur.status === 'drawn') return view(liveId, cur);
        if (Date.now() > until) throw new AppError('UNAVAILABLE', 'the draw is still running');
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    return runDraw(liveId, await byId(liveId, lotteryId));
  };

  /** The draw proper, by the one caller that froze the lottery (or took over a stale draw). */
  const runDraw = async (liveId: string, cur: NonNullable<Awaited<ReturnType<typeof current>>>) => {
    const lotteryId = cur.base.id;
    // A drawer that died after writing the ledger row: publish what the ledger holds.
    const prior = await repo.audit(liveId, lotteryId);
    if (prior) {
      const { entrantsHash, winners, runnersUp, seed, drawnAt } = prior;
      return publish(liveId, cur.base, prior.entrants.length, {
        entrantsHash,
        winners,
        runnersUp,
        seed,
        drawnAt,
      });
    }
    const seed = (await redis.hget(keys.lottery(liveId), 'seed'))!;
    let entrants = await redis.smembers(keys.lotteryEntrants(liveId, lotteryId));
    if (cur.base.rules.presentAtDraw && entrants.length > 0) {
      const conns = await redis.hmget(keys.conns(liveId), ...entrants);
      entrants = entrants.filter((_, i) => Number(conns[i] ?? 0) > 0);
    }
    const r = draw({ seed, entrants, k: cur.base.winners, runnersUp: cur.base.runnersUp }, nodeDrawHash);
    const drawnAt = now();
    const recorded = await repo.recordDraw({
      lotteryId,
      entrants: r.entrants,
      entrantsHash: r.entrantsHash,
      winners: r.winners,
      runnersUp: r.runnersUp,
      drawnBy: deps.nodeId,
      drawnAt,
    });
    if (!recorded) throw new AppError('INTERNAL', 'the ledger already holds a draw of this lottery');
    const result = {
      entrantsHash: r.entrantsHash,
      winners: r.winners,
      runnersUp: r.runnersUp,
      seed,
      drawnAt,
    };
    return publish(liveId, cur.base, r.entrants.length, result);
  };

  const publish = async (
    liveId: string,
    base: Base,
    entrants: number,
    result: NonNullable<Lottery['result']>,
  ) => {
    await redis.hset(keys.lottery(liveId), 'status', 'drawn', 'result', JSON.stringify(result));
    const lottery: Lottery = { ...base, status: 'drawn', entrants, result };
    await deps.roomLog.append(liveId, LOTTERY_EVENT.drawn, { lottery });
    return lottery;
  };

  /** Finishes a draw left in `drawing` for longer than STALE_DRAW_MS (its node died); one taker wins. */
  const recoverStale = async (liveId: string, lotteryId: string) => {
    const code = await scripts.run<number>(
      'lottery-takeover',
      [keys.lottery(liveId)],
      [lotteryId, now(), deps.staleDrawMs ?? STALE_DRAW_MS, deps.nodeId],
    );
    if (code !== 1) return;
    deps.log?.warn({ liveId, lotteryId }, 'finishing a stale lottery draw');
    await runDraw(liveId, await byId(liveId, lotteryId));
  };

  const schedule = (liveId: string, lotteryId: string, at: number) => {
    const t = setTimeout(
      () => {
        timers.delete(t);
        drawIfDue(liveId, lotteryId, false).catch((err) =>
          deps.log?.warn({ err, liveId, lotteryId }, 'lottery draw failed'),
        );
      },
      Math.max(0, at - now()),
    );
    t.unref();
    timers.add(t);
  };

  /** The entry path shared by `lottery:enter` and keyword comments. */
  const enter = async (user: TokenClaims, liveId: string, lotteryId: string, viaKeyword: boolean) => {
    const cur = await byId(liveId, lotteryId);
    if (cur.status !== 'open' || now() >= cur.base.closesAt)
      throw new AppError('LOTTERY_CLOSED', 'the entry window is over');
    if (cur.base.rules.keyword && !viaKeyword)
      throw new AppError('LOTTERY_NOT_ELIGIBLE', 'comment the keyword to enter', { rule: 'keyword' });
    const failed = await firstFailedRule(facts, cur.base.rules, liveId, user);
    if (failed) throw new AppError('LOTTERY_NOT_ELIGIBLE', `rule not met: ${failed}`, { rule: failed });
    const res = await scripts.run<number>(
      'lottery-enter',
      [keys.lottery(liveId), keys.lotteryEntrants(liveId, lotteryId)],
      [lotteryId, user.sub, now()],
    );
    return { entrants: checkScript('lottery-enter', res) };
  };

  /** liveId → keyword of its open lottery, cached briefly so comments cost no Redis read each. */
  const keywordCache = new Map<string, { at: number; kw: { id: string; word: string } | null }>();

  /** The lottery every viewer shares (`me` comes from `viewerSnapshot`). */
  const roomSnapshot = async (liveId: string): Promise<LotterySnapshot> => {
    const cur = await current(liveId);
    return { lottery: cur ? await view(liveId, cur) : null, me: 'none' };
  };
  /** Adds whether the caller entered, and how they fared once drawn. */
  const viewerSnapshot = async (
    liveId: string,
    user: TokenClaims,
    room: LotterySnapshot,
  ): Promise<LotterySnapshot> => {
    const { lottery } = room;
    if (!lottery) return room;
    const entered = (await redis.sismember(keys.lotteryEntrants(liveId, lottery.id), user.sub)) === 1;
    let me: LotterySnapshot['me'] = entered ? 'entered' : 'none';
    if (entered && lottery.result) {
      if (lottery.result.winners.includes(user.sub)) me = 'won';
      else if (lottery.result.runnersUp.includes(user.sub)) me = 'runner-up';
      else me = 'lost';
    }
    return { lottery, me };
  };

  return {
    /** Host: opens a lottery. @throws LOTTERY_ALREADY_OPEN, COUPON_NOT_FOUND, PRODUCT_NOT_FOUND */
    async create(user: TokenClaims, payload: LotteryCreatePayload): Promise<{ lottery: Lottery }> {
      const p = LotteryCreatePayload.parse(payload);
      const { liveId } = p;
      if (p.prize.kind === 'coupon' && !(await redis.hexists(keys.coupons(liveId), p.prize.couponId)))
        throw new AppError('COUPON_NOT_FOUND', 'no such coupon in this live');
      if (p.prize.kind === 'product' && !(await redis.hexists(keys.products(liveId), p.prize.productId)))
        throw new AppError('PRODUCT_NOT_FOUND', 'no such product in this live');
      const seed = newSeed();
      const opensAt = now();
      const base: Base = {
        id: randomUUID(),
        title: p.title,
        prize: p.prize,
        winners: p.winners,
        runnersUp: p.runnersUp ?? p.winners,
        rules: p.rules,
        commitment: commitmentOf(seed, nodeDrawHash),
        opensAt,
        closesAt: opensAt + p.durationSec * 1000,
      };
      // NOTE: the ledger row (with the seed) first: a lottery whose draw could not be audited never opens.
      await repo.insert({ ...base, liveId, seed, createdBy: user.sub });
      const res = await scripts.run<number | string>(
        'lottery-open',
        [keys.lottery(liveId)],
        [base.id, JSON.stringify(base), base.closesAt, seed],
      );
      if (res !== 1) {
        // One past its window that no node drew yet: draw it, then open this one.
        const drawn = await drawIfDue(liveId, String(res), false).catch(() => null);
        if (!drawn) throw new AppError('LOTTERY_ALREADY_OPEN', 'draw the current lottery first');
        return this.create(user, payload);
      }
      keywordCache.delete(liveId);
      const lottery: Lottery = { ...base, status: 'open', entrants: 0, result: null };
      await deps.roomLog.append(liveId, LOTTERY_EVENT.created, { lottery });
      schedule(liveId, base.id, base.closesAt);
      return { lottery };
    },

    /** Explicit entry. @throws LOTTERY_NOT_FOUND, LOTTERY_CLOSED, LOTTERY_NOT_ELIGIBLE, ALREADY_ENTERED */
    enter: (user: TokenClaims, liveId: string, lotteryId: string) => enter(user, liveId, lotteryId, false),

    /** A published comment: enters its author when it contains the open lottery's keyword. Never throws. */
    async onComment(liveId: string, user: TokenClaims, text: string): Promise<boolean> {
      let hit = keywordCache.get(liveId);
      if (!hit || now() - hit.at > KEYWORD_CACHE_MS) {
        const cur = await current(liveId);
        const word = cur?.status === 'open' ? cur.base.rules.keyword : undefined;
        hit = { at: now(), kw: cur && word ? { id: cur.base.id, word: word.toLowerCase() } : null };
        keywordCache.set(liveId, hit);
      }
      if (!hit.kw || !text.toLowerCase().includes(hit.kw.word)) return false;
      try {
        await enter(user, liveId, hit.kw.id, true);
        return true;
      } catch {
        return false;
      }
    },

    /** Host: draw now (exactly once across nodes). @throws LOTTERY_NOT_FOUND */
    async drawNow(liveId: string, lotteryId: string): Promise<{ lottery: Lottery }> {
      return { lottery: (await drawIfDue(liveId, lotteryId, true))! };
    },

    /**
     * Entrant counts of the open lotteries of these rooms; draws the ones whose window ended and finishes stale
     * draws (any node may).
     */
    async counts(liveIds: string[]): Promise<Map<string, LotteryCount>> {
      const out = new Map<string, LotteryCount>();
      await Promise.all(
        liveIds.map(async (liveId) => {
          const cur = await current(liveId);
          if (cur?.status === 'drawing') await recoverStale(liveId, cur.base.id);
          if (cur?.status !== 'open') return;
          const entrants = await redis.scard(keys.lotteryEntrants(liveId, cur.base.id));
          out.set(liveId, { lotteryId: cur.base.id, entrants });
          if (now() >= cur.base.closesAt) await drawIfDue(liveId, cur.base.id, false);
        }),
      );
      return out;
    },

    /** Every input of a drawn lottery. @throws LOTTERY_NOT_FOUND, LOTTERY_NOT_DRAWN */
    async audit(liveId: string, lotteryId: string): Promise<LotteryAudit> {
      const a = await repo.audit(liveId, lotteryId);
      if (a) return a;
      const cur = await current(liveId);
      if (cur?.base.id === lotteryId) throw new AppError('LOTTERY_NOT_DRAWN', 'the lottery is not drawn yet');
      throw new AppError('LOTTERY_NOT_FOUND', 'no such lottery in this live');
    },

    snapshot: async (liveId: string, user: TokenClaims): Promise<LotterySnapshot> =>
      viewerSnapshot(liveId, user, await roomSnapshot(liveId)),
    roomSnapshot,
    viewerSnapshot,

    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
export type LotteryService = ReturnType<typeof createLotteryService>;
