/**
 * Likes at storm scale: taps are capped per message and per user per second (on this node), summed per room
 * in memory, and flushed with one script call (INCRBY + goal check) per room per LIKE_FLUSH_MS, so a room
 * costs at most 1000 / LIKE_FLUSH_MS Redis writes per second across all nodes (a per-room slot taken in the
 * script) whatever the tap rate. Goals fire
 * exactly once across nodes (likes-flush-8.lua writes the `goal:reached` event), then this node runs the
 * registered goal hooks (the commerce feature unlocks coupons and sales there).
 *
 * NOTE: accepted taps live in memory until the next flush (≤ LIKE_FLUSH_MS); a crash loses at most that.
 * Per-user caps are per node: a user's sockets normally sit on one node (sticky sessions).
 */
import { randomBytes } from 'node:crypto';
import type { TokenClaims } from '@lc/contracts/auth.schema';
import { AppError } from '@lc/contracts/errors';
import {
  type GoalReached,
  LIKE_EVENT,
  type LikeGoal,
  type LikesSnapshot,
  MAX_LIKE_GOALS,
} from '@lc/contracts/likes.schema';
import type { Redis } from 'ioredis';
import type { Keys } from '../../redis/keys';
import { checkScript } from '../../redis/script-results';
import type { Scripts } from '../../redis/scripts';

export interface LikeLimits {
  maxPerMessage: number;
  maxPerUserPerSec: number;
  messagesPerSec: number;
  flushMs: number;
  logMaxLen: number;
}

/** Called once per reached goal, on the node whose flush crossed it. Durable work: enqueue a job keyed by goal id. */
export type GoalHook = (ctx: { liveId: string; seq: number } & GoalReached) => Promise<void> | void;

type Log = { warn(o: object, m?: string): void; error(o: object, m?: string): void };

export function createLikesService(deps: {
  redis: Redis;
  scripts: Scripts;
  keys: Keys;
  limits: LikeLimits;
  log?: Log;
  now?: () => number;
}) {
  const { redis, scripts, keys, limits } = deps;
  const now = deps.now ?? Date.now;
  /** liveId → taps accepted on this node and not yet flushed, in total and per user (points, leaderboard). */
  const pending = new Map<string, number>();
  const pendingBy = new Map<string, Map<string, number>>();
  const roomPending = (liveId: string) => {
    let room = pendingBy.get(liveId);
    if (!room) {
      room = new Map();
      pendingBy.set(liveId, room);
    }
    return room;
  };
  const addPending = (liveId: string, n: number, by: Map<string, number>) => {
    pending.set(liveId, (pending.get(liveId) ?? 0) + n);
    const room = roomPending(liveId);
    for (const [userId, taps] of by) room.set(userId, (room.get(userId) ?? 0) + taps);
  };
  /** liveId → flush writes this node made (INCRBY calls), for metrics and tests. */
  const writes = new Map<string, number>();
  const hooks: GoalHook[] = [];
  let second = 0;
  const perUser = new Map<string, { msgs: number; taps: number }>();
  let flushing: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;

  const flushRoom = async (liveId: string, n: number, by: Map<string, number>, force: boolean) => {
    const at = now();
    const perUserArgs = [...by].flat();
    let res: [number, (number | string)[]];
    try {
      res = await scripts.run<[number, (number | string)[]]>(
        'likes-flush',
        [
          keys.likes(liveId),
          keys.likeGoals(liveId),
          keys.likeGoal(liveId),
          keys.likeGoalsReached(liveId),
          keys.seq(liveId),
          keys.log(liveId),
          keys.likeFlushSlot(liveId),
          keys.likesBy(liveId),
        ],
        [n, at, limits.logMaxLen, LIKE_EVENT.goalReached, force ? 0 : limits.flushMs, ...perUserArgs],
      );
    } catch (err) {
      // NOTE: nothing was added: keep the taps for the next flush.
      addPending(liveId, n, by);
      throw err;
    }
    if (res[0] === -1) {
      // NOTE: another node holds this slot; our taps wait for a later one.
      addPending(liveId, n, by);
      return;
    }
    writes.set(liveId, (writes.get(liveId) ?? 0) + 1);
    const fired = res[1];
    for (let i = 0; i + 1 < fired.length; i += 2) {
      const data = JSON.parse(String(fired[i + 1])) as GoalReached;
      for (const hook of hooks) {
        try {
          await hook({ liveId, seq: Number(fired[i]), ...data });
        } catch (err) {
          deps.log?.error({ err, liveId, goal: data.goal.id }, 'goal hook failed');
        }
      }
    }
  };

  /**
   * Flushes every room with pending taps: one script call per room. The timer's flushes take the room's slot
   * (≤ one write per LIKE_FLUSH_MS per room across nodes); a forced flush (shutdown, explicit drain) doesn't.
   */
  const flush = (force = true): Promise<void> => {
    // NOTE: a timer flush never queues behind another; a forced one runs after it, so it drains everything.
    if (!force && flushing) return flushing;
    const run = async () => {
      const batch = [...pending].map(
        ([liveId, n]) => [liveId, n, pendingBy.get(liveId) ?? new Map()] as const,
      );
      pending.clear();
      pendingBy.clear();
      const results = await Promise.allSettled(
        batch.map(([liveId, n, by]) => flushRoom(liveId, n, by, force)),
      );
      for (const r of results)
        if (r.status === 'rejected') deps.log?.warn({ err: r.reason }, 'like flush failed');
    };
    const next: Promise<void> = (flushing ?? Promise.resolve()).then(run).finally(() => {
      if (flushing === next) flushing = null;
    });
    flushing = next;
    return next;
  };

  const goalsOf = async (liveId: string): Promise<LikeGoal[]> => {
    const res = await redis
      .multi()
      .zrange(keys.likeGoals(liveId), 0, -1)
      .hgetall(keys.likeGoal(liveId))
      .hgetall(keys.likeGoalsReached(liveId))
      .exec();
    const ids = (res?.[0]?.[1] as string[]) ?? [];
    const data = (res?.[1]?.[1] as Record<string, string>) ?? {};
    const reached = (res?.[2]?.[1] as Record<string, string>) ?? {};
    return ids
      .filter((id) => data[id])
      .map((id) => ({
        ...(JSON.parse(data[id]!) as Omit<LikeGoal, 'reachedAt'>),
        reachedAt: reached[id] ? Number(reached[id]) : null,
      }));
  };

  return {
    /**
     * Accepts up to the per-message and per-second caps of `count` taps. Returns how many counted.
     * @throws RATE_LIMITED (more than LIKE_MESSAGES_PER_SEC messages this second; details.retryAfterMs)
     */
    tap(user: Pick<TokenClaims, 'sub'>, liveId: string, count: number): { accepted: number } {
      const t = now();
      const sec = Math.floor(t / 1000);
      if (sec !== second) {
        second = sec;
        perUser.clear();
      }
      const key = `${liveId}|${user.sub}`;
      let u = perUser.get(key);
      if (!u) {
        u = { msgs: 0, taps: 0 };
        perUser.set(key, u);
      }
      if (u.msgs >= limits.messagesPerSec) {
        throw new AppError('RATE_LIMITED', 'batch likes: about one message per second', {
          retryAfterMs: (sec + 1) * 1000 - t,
        });
      }
      u.msgs++;
      const accepted = Math.max(0, Math.min(count, limits.maxPerMessage, limits.maxPerUserPerSec - u.taps));
      u.taps += accepted;
      if (accepted > 0) {
        pending.set(liveId, (pending.get(liveId) ?? 0) + accepted);
        const room = roomPending(liveId);
        room.set(user.sub, (room.get(user.sub) ?? 0) + accepted);
      }
      return { accepted };
    },

    /** Starts the flush timer (one per node). */
    start() {
      // NOTE: jittered ticks, so no node wins every slot just because its timer's phase comes first.
      const tick = () => {
        timer = setTimeout(
          () => void flush(false).finally(() => timer && tick()),
          limits.flushMs * (0.5 + Math.random()),
        );
        timer.unref();
      };
      if (!timer) tick();
    },
    flush,
    /** Stops the timer and flushes what is pending (graceful shutdown keeps every accepted tap). */
    async close() {
      if (timer) clearTimeout(timer);
      timer = null;
      await flushing;
      await flush();
    },

    /** Flush writes this node made for a room (INCRBY calls). */
    writes: (liveId: string) => writes.get(liveId) ?? 0,

    async totals(liveIds: string[]): Promise<Map<string, number>> {
      const values = liveIds.length ? await redis.mget(...liveIds.map((id) => keys.likes(id))) : [];
      return new Map(liveIds.map((id, i) => [id, Number(values[i] ?? 0)]));
    },

    /** Registers a goal hook (e.g. commerce: unlock a coupon). Hooks run in registration order. */
    onGoalReached(hook: GoalHook) {
      hooks.push(hook);
    },

    goals: goalsOf,

    /** Host: adds a goal. @throws GOAL_ALREADY_REACHED, VALIDATION (more than MAX_LIKE_GOALS) */
    async addGoal(liveId: string, threshold: number, label?: string): Promise<LikeGoal> {
      const goal = { id: `g_${randomBytes(9).toString('base64url')}`, threshold, label: label ?? null };
      const res = await scripts.run<number>(
        'like-goal-add',
        [keys.likes(liveId), keys.likeGoals(liveId), keys.likeGoal(liveId), keys.likeGoalsReached(liveId)],
        [goal.id, threshold, JSON.stringify(goal), MAX_LIKE_GOALS],
      );
      checkScript('like-goal-add', res, MAX_LIKE_GOALS);
      return { ...goal, reachedAt: null };
    },

    async removeGoal(liveId: string, goalId: string): Promise<{ removed: boolean }> {
      const res = await redis
        .multi()
        .zrem(keys.likeGoals(liveId), goalId)
        .hdel(keys.likeGoal(liveId), goalId)
        .exec();
      return { removed: Number(res?.[0]?.[1] ?? 0) === 1 };
    },

    async snapshot(liveId: string): Promise<LikesSnapshot> {
      const [total, goals] = await Promise.all([redis.get(keys.likes(liveId)), goalsOf(liveId)]);
      return { total: Number(total ?? 0), goals };
    },
  };
}
export type LikesService = ReturnType<typeof createLikesService>;
