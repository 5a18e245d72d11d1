/**
 * Polls: one open poll per live (Lua), one vote per user (Lua, refused after the deadline on the server
 * clock), tallies broadcast by each node at a bounded rate, and a close that happens exactly once — by the
 * creating node's timer, by any node's ticker once the deadline passed, or early by the host — and records
 * the result and every vote in the ledger.
 */
import { randomUUID } from 'node:crypto';
import type { TokenClaims } from '@lc/contracts/auth.schema';
import { AppError } from '@lc/contracts/errors';
import { POLL_EVENT, type Poll, type PollSnapshot } from '@lc/contracts/poll.schema';
import type { Redis } from 'ioredis';
import type { PollsRepo } from '../../ledger/polls.repo';
import type { RoomLog } from '../../realtime/room-log';
import type { Keys } from '../../redis/keys';
import { checkScript } from '../../redis/script-results';
import type { Scripts } from '../../redis/scripts';

type Log = { warn(o: object, m?: string): void; error(o: object, m?: string): void };
export type PollTally = { pollId: string; tallies: number[]; total: number; status: Poll['status'] };

export function createPollsService(deps: {
  redis: Redis;
  scripts: Scripts;
  keys: Keys;
  roomLog: RoomLog;
  polls: PollsRepo;
  logMaxLen: number;
  /** Whether the live has ended: no poll opens after the end-of-live `polls-close` step closed the last. */
  ended?: (liveId: string) => Promise<boolean>;
  log?: Log;
  now?: () => number;
}) {
  const { redis, scripts, keys } = deps;
  const now = deps.now ?? Date.now;
  const timers = new Set<NodeJS.Timeout>();

  const current = async (liveId: string) => {
    const h = await redis.hgetall(keys.poll(liveId));
    if (!h.id || !h.json) return null;
    const base = JSON.parse(h.json) as Omit<Poll, 'status' | 'tallies' | 'total'>;
    return {
      base,
      status: h.status as Poll['status'],
      final: h.final ? (JSON.parse(h.final) as Poll) : null,
    };
  };

  const tallyOf = async (liveId: string, pollId: string, options: number) => {
    const raw = await redis.hgetall(keys.pollTally(liveId, pollId));
    const tallies = Array.from({ length: options }, (_, i) => Number(raw[String(i)] ?? 0));
    return { tallies, total: tallies.reduce((a, b) => a + b, 0) };
  };

  /** Closes the poll if due (or `force`); the one caller that closes it records the result. */
  const close = async (liveId: string, pollId: string, force: boolean): Promise<Poll | null> => {
    const [code, , json] = await scripts.run<[number, number, string]>(
      'poll-close',
      [keys.poll(liveId), keys.pollTally(liveId, pollId), keys.seq(liveId), keys.log(liveId)],
      [pollId, now(), force ? 1 : 0, deps.logMaxLen, POLL_EVENT.closed],
    );
    if (checkScript('poll-close', code) === -2) return null;
    const poll = JSON.parse(json) as Poll;
    if (code === 1) {
      const votes = await redis.hgetall(keys.pollVoters(liveId, pollId));
      await deps.polls.recordResult(poll, votes);
    }
    return poll;
  };

  const schedule = (liveId: string, pollId: string, at: number) => {
    const t = setTimeout(
      () => {
        timers.delete(t);
        close(liveId, pollId, false).catch((err) => deps.log?.warn({ err, liveId }, 'poll close failed'));
      },
      Math.max(0, at - now()),
    );
    t.unref();
    timers.add(t);
  };

  type NewPoll = { question: string; options: string[]; durationSec: number };
  /** Host: opens a poll. @throws LIVE_ENDED, POLL_ALREADY_OPEN */
  const create = async (user: TokenClaims, liveId: string, p: NewPoll): Promise<{ poll: Poll }> => {
    if (await deps.ended?.(liveId)) throw new AppError('LIVE_ENDED', 'the live has ended');
    const openedAt = now();
    const base = {
      id: randomUUID(),
      question: p.question,
      options: p.options,
      openedAt,
      closesAt: openedAt + p.durationSec * 1000,
    };
    const res = await scripts.run<number | string>(
      'poll-open',
      [keys.poll(liveId)],
      [base.id, JSON.stringify(base), base.closesAt],
    );
    if (res !== 1) {
      // A poll past its deadline that no node closed yet: close it, then open this one.
      const closed = await close(liveId, String(res), false);
      if (!closed) throw new AppError('POLL_ALREADY_OPEN', 'close the current poll first');
      return create(user, liveId, p);
    }
    await deps.polls.insert({ ...base, liveId, createdBy: user.sub });
    const poll: Poll = { ...base, status: 'open', tallies: p.options.map(() => 0), total: 0 };
    await deps.roomLog.append(liveId, POLL_EVENT.opened, poll);
    schedule(liveId, base.id, base.closesAt);
    return { poll };
  };

  return {
    create,

    /** One vote per user. @throws POLL_NOT_FOUND, POLL_CLOSED, VALIDATION (option), ALREADY_VOTED */
    async vote(user: TokenClaims, liveId: string, pollId: string, option: number) {
      const cur = await current(liveId);
      const res = await scripts.run<number>(
        'poll-vote',
        [keys.poll(liveId), keys.pollVoters(liveId, pollId), keys.pollTally(liveId, pollId)],
        [pollId, user.sub, option, now(), cur?.base.options.length ?? 0],
      );
      checkScript('poll-vote', res);
      return { voted: option };
    },

    /** Host: closes the poll now. @throws POLL_NOT_FOUND */
    async closeNow(liveId: string, pollId: string) {
      return { poll: (await close(liveId, pollId, true))! };
    },

    /** Tallies of the open polls of these rooms; closes the ones whose deadline passed (any node may). */
    async tallies(liveIds: string[]): Promise<Map<string, PollTally>> {
      const out = new Map<string, PollTally>();
      await Promise.all(
        liveIds.map(async (liveId) => {
          const cur = await current(liveId);
          if (cur?.status !== 'open') return;
          const { tallies, total } = await tallyOf(liveId, cur.base.id, cur.base.options.length);
          out.set(liveId, { pollId: cur.base.id, tallies, total, status: 'open' });
          if (now() >= cur.base.closesAt) await close(liveId, cur.base.id, false);
        }),
      );
      return out;
    },

    /** The poll part of a join snapshot that every viewer shares (`myVote` comes from `viewerSnapshot`). */
    async roomSnapshot(liveId: string): Promise<PollSnapshot> {
      const cur = await current(liveId);
      if (!cur) return { poll: null, myVote: null };
      const poll: Poll = cur.final ?? {
        ...cur.base,
        status: 'open',
        ...(await tallyOf(liveId, cur.base.id, cur.base.options.length)),
      };
      return { poll, myVote: null };
    },

    async viewerSnapshot(liveId: string, user: TokenClaims, room: PollSnapshot): Promise<PollSnapshot> {
      if (!room.poll) return room;
      const mine = await redis.hget(keys.pollVoters(liveId, room.poll.id), user.sub);
      return { poll: room.poll, myVote: mine === null ? null : Number(mine) };
    },

    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
export type PollsService = ReturnType<typeof createPollsService>;
