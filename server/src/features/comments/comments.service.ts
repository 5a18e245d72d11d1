/**
 * Sending comments and the comments part of a snapshot: plain text (validated by the contract), keyword lists
 * (block / mask / hold), gates and limits in one Lua script (ban, mute, followers-only, buyers-only, slow
 * mode, per-user rate, room capacity), then the room log — so a new comment reaches viewers in the next
 * coalesced frame with its seq. Held comments wait for staff (comment-review.service.ts); shadow-banned and
 * sampled comments are kept for their sender only (the ack looks the same). Knows no transport.
 */
import { randomBytes } from 'node:crypto';
import type { TokenClaims } from '@lc/contracts/auth.schema';
import {
  COMMENT_EVENT,
  type Comment,
  type CommentSendResult,
  type CommentsSnapshot,
} from '@lc/contracts/comment.schema';
import { AppError } from '@lc/contracts/errors';
import type { Role } from '@lc/contracts/ids';
import type { Live } from '@lc/contracts/live.schema';
import type { Redis } from 'ioredis';
import type { RoomActions } from '../../realtime/room-actions';
import type { RoomLog } from '../../realtime/room-log';
import type { Keys } from '../../redis/keys';
import { scriptError } from '../../redis/script-results';
import type { Scripts } from '../../redis/scripts';
import type { AuthorTags, BuyerRegistry, FollowerCheck } from './chat-gates';
import { settingsOf } from './chat-settings';
import type { Keywords } from './keywords';

export interface CommentLimits {
  rateCount: number;
  rateWindowMs: number;
  recent: number;
  roomMaxPerSec: number;
  logMaxLen: number;
  /** Comments a restricted sender keeps for themselves (shadow-banned, sampled). */
  ownKept?: number;
}

const STATUS_TTL_MS = 2000;
const MAX_ATTEMPTS = 4;
export const newCommentId = () => `c_${randomBytes(12).toString('base64url')}`;

export function createCommentsService(deps: {
  redis: Redis;
  scripts: Scripts;
  keys: Keys;
  keywords: Keywords;
  lives: { get(liveId: string): Promise<Live>; hostOf(liveId: string): Promise<string> };
  followers: FollowerCheck;
  buyers: BuyerRegistry;
  /** Fan levels shown next to viewers' names (none until the growth feature registers). */
  tags?: AuthorTags;
  actions: RoomActions;
  roomLog: RoomLog;
  limits: CommentLimits;
  /** Called after a comment reached the room (e.g. lottery keyword entries); must not throw. */
  onPublished?: (liveId: string, user: TokenClaims, text: string) => void;
  now?: () => number;
}) {
  const { redis, scripts, keys, limits } = deps;
  const now = deps.now ?? Date.now;
  const interval = Math.max(1, Math.ceil(limits.rateWindowMs / limits.rateCount));
  const ownKept = limits.ownKept ?? 50;
  /** liveId → status, re-read at most every STATUS_TTL_MS per node. */
  const statuses = new Map<string, { status: Live['status']; at: number }>();

  const liveStatus = async (liveId: string) => {
    const hit = statuses.get(liveId);
    if (hit && now() - hit.at < STATUS_TTL_MS) return hit.status;
    const { status } = await deps.lives.get(liveId);
    if (statuses.size > 10_000) statuses.clear();
    statuses.set(liveId, { status, at: now() });
    return status;
  };

  return {
    /**
     * Sends a comment as `user` with `role` in the live.
     * @throws LIVE_ENDED, COMMENT_BLOCKED, BANNED, MUTED, CHAT_RESTRICTED, RATE_LIMITED (details.retryAfterMs)
     */
    async send(user: TokenClaims, role: Role, liveId: string, text: string): Promise<CommentSendResult> {
      if ((await liveStatus(liveId)) === 'ended') throw new AppError('LIVE_ENDED', 'the live has ended');
      const staff = role !== 'viewer';
      let kw = await deps.keywords.compiled(liveId);
      let follower = -1;
      let buyer = -1;
      const id = newCommentId();
      const at = now();
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const verdict = kw.matcher.check(text);
        if (verdict.action === 'block') {
          // NOTE: a refusal never reaches the script's version check, so confirm the lists are current.
          const current = (await redis.hget(keys.chat(liveId), 'kwver')) ?? '0';
          if (current !== kw.version) {
            kw = await deps.keywords.compiled(liveId, kw.version);
            continue;
          }
          throw new AppError('COMMENT_BLOCKED', 'the comment contains a blocked term');
        }
        const level = role === 'viewer' ? deps.tags?.levelOf(liveId, user.sub) : undefined;
        const by = level
          ? { id: user.sub, name: user.name, role, level }
          : { id: user.sub, name: user.name, role };
        const comment: Comment = { id, text: verdict.text, by, at };
        const [code, value] = await scripts.run<[number, number]>(
          'comment-send',
          [
            keys.chat(liveId),
            keys.bans(liveId),
            keys.mute(liveId, user.sub),
            keys.shadow(liveId),
            keys.commentRate(liveId, user.sub),
            keys.slow(liveId, user.sub),
            keys.commentsPerSecond(liveId, Math.floor(at / 1000)),
            keys.seq(liveId),
            keys.log(liveId),
            keys.recentComments(liveId),
            keys.commentData(liveId),
            keys.commentIndex(liveId),
            keys.ownComments(liveId, user.sub),
            keys.held(liveId),
          ],
          [
            user.sub,
            user.dev ?? '',
            staff ? 1 : 0,
            at,
            interval,
            limits.rateCount,
            kw.version,
            follower,
            buyer,
            verdict.action === 'hold' && !staff ? 'hold' : 'publish',
            id,
            JSON.stringify(comment),
            COMMENT_EVENT.new,
            limits.logMaxLen,
            limits.recent,
            ownKept,
            limits.roomMaxPerSec,
          ],
        );
        // NOTE: a comment sampled out of a full room (4) was still said: a keyword storm (口令) must enter
        // every commenter, not only those the room saw. Shadow-banned ones (2) never count.
        if (code === 1 || code === 4) deps.onPublished?.(liveId, user, comment.text);
        switch (code) {
          case 1:
          case 2:
          case 4:
            // NOTE: the ack is the same whether the room sees the comment or only the sender does.
            return { comment, status: 'published' };
          case 3:
            deps.actions.toStaff(liveId, 'comment:held', { liveId, comment });
            return { comment, status: 'held' };
          case -5:
            kw = await deps.keywords.compiled(liveId, kw.version);
            continue;
          case -6:
            if (value === 1) {
              follower = (await deps.followers.isFollower(await deps.lives.hostOf(liveId), user.sub)) ? 1 : 0;
            } else {
              buyer = (await deps.buyers.isBuyer(liveId, user.sub)) ? 1 : 0;
            }
            continue;
          default:
            // Banned, muted, rate limited, slow mode, gate closed (see the script's header).
            throw scriptError('comment-send', code, value);
        }
      }
      throw new AppError('UNAVAILABLE', 'chat settings are changing: try again');
    },

    /** The comments part of a join snapshot that every viewer shares: recent comments, chat settings. */
    async roomSnapshot(liveId: string): Promise<CommentsSnapshot> {
      const res = await redis
        .multi()
        .zrange(keys.recentComments(liveId), 0, -1, 'WITHSCORES')
        .hgetall(keys.commentData(liveId))
        .hgetall(keys.chat(liveId))
        .exec();
      const ranked = (res?.[0]?.[1] as string[]) ?? [];
      const data = (res?.[1]?.[1] as Record<string, string>) ?? {};
      const recent: Comment[] = [];
      for (let i = 0; i + 1 < ranked.length; i += 2) {
        const json = data[ranked[i]!];
        if (json) recent.push({ ...(JSON.parse(json) as Comment), seq: Number(ranked[i + 1]) });
      }
      return { recent, settings: settingsOf((res?.[2]?.[1] as Record<string, string>) ?? {}) };
    },

    /** Adds what only `user` sees to the shared part: their own held comments, and held ones for staff. */
    async viewerSnapshot(
      liveId: string,
      user: TokenClaims,
      role: Role,
      room: CommentsSnapshot,
    ): Promise<CommentsSnapshot> {
      const staff = role !== 'viewer';
      const [ownRaw, heldRaw] = await Promise.all([
        redis.lrange(keys.ownComments(liveId, user.sub), 0, ownKept - 1),
        staff ? redis.hvals(keys.held(liveId)) : undefined,
      ]);
      const own = ownRaw.map((j) => JSON.parse(j) as Comment);
      const merged = own.length
        ? [...room.recent, ...own].sort((a, b) => a.at - b.at).slice(-Math.max(limits.recent, 1))
        : room.recent;
      const snap: CommentsSnapshot = { recent: merged, settings: room.settings };
      if (heldRaw) {
        snap.held = heldRaw
          .map((j) => JSON.parse(j) as Comment)
          .sort((a, b) => a.at - b.at)
          .slice(0, 200);
      }
      return snap;
    },
  };
}
export type CommentsService = ReturnType<typeof createCommentsService>;
