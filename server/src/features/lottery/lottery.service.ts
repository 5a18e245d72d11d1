/**
 * Lotteries, the public API: one open lottery per live (Lua), one entry per user (Lua, refused outside the
 * window on the server clock), explicit or by keyword comment; entrant counts for the ticker; draw on demand;
 * the audit and snapshot parts. The draw itself runs in lottery-draw-runner.ts.
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
import { commitmentOf } from '@lc/contracts/lottery-draw';
import { newSeed, nodeDrawHash } from '@lc/contracts/node-draw-hash';
import type { Redis } from 'ioredis';
import type { LotteriesRepo } from '../../ledger/lotteries.repo';
import type { RoomLog } from '../../realtime/room-log';
import type { Keys } from '../../redis/keys';
import { checkScript } from '../../redis/script-results';
import type { Scripts } from '../../redis/scripts';
import { type EligibilityFacts, firstFailedRule } from './lottery.eligibility';
import { createDrawRunner } from './lottery-draw-runner';
import { createLotteryStore, type LotteryBase } from './lottery-store';

type Log = { warn(o: object, m?: string): void };
export type LotteryCount = { lotteryId: string; entrants: number };

const KEYWORD_CACHE_MS = 500;

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
  const store = createLotteryStore({ redis, keys });
  const { current, view, byId } = store;
  const runner = createDrawRunner({ ...deps, store });
  const { drawIfDue, recoverStale, schedule } = runner;
  const facts: EligibilityFacts = {
    ...deps.facts,
    present: async (liveId, userId) => Number((await redis.hget(keys.conns(liveId), userId)) ?? 0) > 0,
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
      const base: LotteryBase = {
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

    close: runner.close,
  };
}
export type LotteryService = ReturnType<typeof createLotteryService>;
