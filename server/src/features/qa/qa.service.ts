/**
 * Q&A: questions (length limit and per-user rate), one upvote per user (toggle), ordered by votes then time;
 * host and moderators answer, pin, dismiss. Questions and votes are ledger rows (the post-live report reads
 * them); the room hears `qa:asked` / `qa:updated` at once and vote counts coalesced into one `qa:votes`
 * event per room per COUNTERS_BROADCAST_MS per node, so a vote storm costs a bounded number of room events.
 */
import { randomUUID } from 'node:crypto';
import type { TokenClaims } from '@lc/contracts/auth.schema';
import { AppError } from '@lc/contracts/errors';
import { QA_EVENT, type QaSnapshot, type Question } from '@lc/contracts/qa.schema';
import type { Redis } from 'ioredis';
import type { QuestionsRepo } from '../../ledger/questions.repo';
import type { RoomLog } from '../../realtime/room-log';
import type { Keys } from '../../redis/keys';
import type { Scripts } from '../../redis/scripts';

type Log = { warn(o: object, m?: string): void };
/** Member of the voters set meaning "every voter is in here" (user ids never equal it). */
const VOTERS_COMPLETE = '*';

export function createQaService(deps: {
  questions: QuestionsRepo;
  roomLog: RoomLog;
  redis: Redis;
  scripts: Scripts;
  keys: Keys;
  lives: { get(liveId: string): Promise<{ status: string }> };
  limits: { rateCount: number; rateWindowMs: number; votesEveryMs: number; snapshotSize?: number };
  log?: Log;
  now?: () => number;
}) {
  const { questions, roomLog, limits } = deps;
  /**
   * Lives whose voters set is being filled from the ledger (votes cast before the set existed). Votes cast
   * meanwhile add themselves, so the set is complete once the ledger's voters and the marker are in.
   */
  const filling = new Set<string>();
  const fillVoters = async (liveId: string) => {
    if (filling.has(liveId)) return;
    filling.add(liveId);
    try {
      const voters = await questions.voters(liveId);
      await deps.redis.sadd(deps.keys.qaVoters(liveId), ...voters, VOTERS_COMPLETE);
    } catch (err) {
      deps.log?.warn({ err, liveId }, 'qa voters fill failed');
    } finally {
      filling.delete(liveId);
    }
  };
  const now = deps.now ?? Date.now;
  const interval = Math.max(1, Math.ceil(limits.rateWindowMs / limits.rateCount));
  /** liveId → questions whose vote count changed on this node since the last `qa:votes` event. */
  const dirty = new Map<string, Set<string>>();

  const publishVotes = async () => {
    const batch = [...dirty];
    dirty.clear();
    for (const [liveId, ids] of batch) {
      try {
        await roomLog.append(liveId, QA_EVENT.votes, { votes: await questions.votes([...ids]) });
      } catch (err) {
        deps.log?.warn({ err, liveId }, 'qa votes broadcast failed');
      }
    }
  };
  let timer: NodeJS.Timeout | null = null;
  let publishing: Promise<void> | null = null;
  const tick = () => {
    publishing ??= publishVotes().finally(() => {
      publishing = null;
    });
    return publishing;
  };

  return {
    /** @throws LIVE_ENDED, RATE_LIMITED (details.retryAfterMs) */
    async ask(user: TokenClaims, liveId: string, text: string): Promise<Question> {
      if ((await deps.lives.get(liveId)).status === 'ended')
        throw new AppError('LIVE_ENDED', 'the live has ended');
      const wait = await deps.scripts.run<number>(
        'rate-limit',
        [deps.keys.rate(liveId, 'qa', user.sub)],
        [now(), interval, limits.rateCount],
      );
      if (wait > 0)
        throw new AppError('RATE_LIMITED', 'too many questions: wait a moment', { retryAfterMs: wait });
      const q = await questions.insert({
        id: randomUUID(),
        liveId,
        author: { id: user.sub, name: user.name },
        text,
        at: new Date(now()),
      });
      await roomLog.append(liveId, QA_EVENT.asked, q);
      return q;
    },

    /** Toggles the caller's upvote. @throws QUESTION_NOT_FOUND (not in this live, or dismissed) */
    async vote(user: TokenClaims, liveId: string, questionId: string) {
      const q = await questions.find(liveId, questionId);
      if (!q || q.status === 'dismissed')
        throw new AppError('QUESTION_NOT_FOUND', 'no such question in this live');
      // NOTE: before the ledger write: the voters set may hold a user without a vote (harmless: the snapshot
      // asks the ledger), never the other way round, even if this node dies in between.
      await deps.redis.sadd(deps.keys.qaVoters(liveId), user.sub);
      const res = await questions.toggleVote(questionId, user.sub);
      const ids = dirty.get(liveId) ?? new Set<string>();
      dirty.set(liveId, ids);
      ids.add(questionId);
      return res;
    },

    /** Host/moderator: answer, pin (one at a time), unpin, dismiss, reopen. @throws QUESTION_NOT_FOUND */
    async moderate(
      liveId: string,
      questionId: string,
      action: 'answer' | 'pin' | 'unpin' | 'dismiss' | 'reopen',
    ) {
      const changed = await questions.moderate(liveId, questionId, action);
      const target = changed.find((q) => q.id === questionId);
      if (!target) throw new AppError('QUESTION_NOT_FOUND', 'no such question in this live');
      for (const q of changed) await roomLog.append(liveId, QA_EVENT.updated, q);
      return { question: target };
    },

    /** The questions every viewer shares (`myVotes` comes from `viewerSnapshot`). */
    async roomSnapshot(liveId: string): Promise<QaSnapshot> {
      return { questions: await questions.list(liveId, limits.snapshotSize ?? 100), myVotes: [] };
    },

    /** Adds the caller's votes; the ledger is asked only for users in the live's voters set. */
    async viewerSnapshot(liveId: string, user: TokenClaims, room: QaSnapshot): Promise<QaSnapshot> {
      const key = deps.keys.qaVoters(liveId);
      const [voted, complete] = await deps.redis.smismember(key, user.sub, VOTERS_COMPLETE);
      if (complete === 1 && voted === 0) return { questions: room.questions, myVotes: [] };
      if (complete !== 1) void fillVoters(liveId);
      return { questions: room.questions, myVotes: await questions.votedBy(liveId, user.sub) };
    },

    list: (liveId: string, limit = 200) => questions.list(liveId, limit),

    start() {
      timer ??= setInterval(() => void tick(), limits.votesEveryMs);
      timer.unref();
    },
    /** Publishes pending vote counts now (also on close). */
    flush: tick,
    async close() {
      if (timer) clearInterval(timer);
      timer = null;
      await tick();
    },
  };
}
export type QaService = ReturnType<typeof createQaService>;
