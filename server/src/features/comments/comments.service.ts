/**
 * Comments: plain text (validated by the contract), keyword lists (block / mask / hold), gates and limits in
 * one Lua script (ban, mute, followers-only, buyers-only, slow mode, per-user rate, room capacity), then the
 * room log — so a new comment reaches viewers in the next coalesced frame with its seq. Held comments wait
 * for staff; shadow-banned and sampled comments are kept for their sender only (the ack looks the same).
 * Called by socket handlers and routes alike; knows no transport.
 */
import { randomBytes } from 'node:crypto';
import type { TokenClaims } from '@lc/contracts/auth.schema';
import {
  type ChatSettings,
  type ChatSettingsPayload,
  COMMENT_EVENT,
  type Comment,
  type CommentSendResult,
  type CommentsSnapshot,
  type KeywordListBody,
} from '@lc/contracts/comment.schema';
import { AppError } from '@lc/contracts/errors';
import type { Role } from '@lc/contracts/ids';
import type { Live } from '@lc/contracts/live.schema';
import type { Redis } from 'ioredis';
import type { ModerationLogRepo } from '../../ledger/moderation-log.repo';
import type { RoomActions } from '../../realtime/room-actions';
import type { RoomLog } from '../../realtime/room-log';
import type { Keys } from '../../redis/keys';
import { checkScript, scriptError } from '../../redis/script-results';
import type { Scripts } from '../../redis/scripts';
import type { BuyerRegistry, FollowerCheck } from './chat-gates';
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

type Actor = Pick<TokenClaims, 'sub' | 'name'>;

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
  audit: ModerationLogRepo;
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

  const settingsOf = (raw: Record<string, string>): ChatSettings => ({
    slowModeSec: Math.round(Number(raw.slowMs ?? 0) / 1000),
    followersOnly: raw.followersOnly === '1',
    buyersOnly: raw.buyersOnly === '1',
  });

  const audit = deps.audit.record;

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
        const comment: Comment = { id, text: verdict.text, by: { id: user.sub, name: user.name, role }, at };
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

    /** Deletes a published comment everywhere (idempotent). @throws COMMENT_NOT_FOUND */
    async remove(actor: Actor, liveId: string, commentId: string): Promise<{ deleted: boolean }> {
      const [code, , , author] = await scripts.run<[number, number, number, string]>(
        'comment-delete',
        [
          keys.commentIndex(liveId),
          keys.recentComments(liveId),
          keys.commentData(liveId),
          keys.redacted(liveId),
          keys.seq(liveId),
          keys.log(liveId),
        ],
        [commentId, actor.sub, actor.name, now(), COMMENT_EVENT.deleted, limits.logMaxLen],
      );
      checkScript('comment-delete', code);
      if (code === 1) {
        await audit({
          liveId,
          actor: { id: actor.sub, name: actor.name },
          action: 'delete',
          targetUserId: author,
          targetCommentId: commentId,
        });
      }
      return { deleted: code === 1 };
    },

    /** Publishes or drops a held comment. @throws COMMENT_NOT_FOUND (not held, or already reviewed) */
    async review(actor: Actor, liveId: string, commentId: string, approve: boolean) {
      let json: string | null;
      if (approve) {
        const [seq, held] = await scripts.run<[number, string]>(
          'comment-release',
          [
            keys.held(liveId),
            keys.seq(liveId),
            keys.log(liveId),
            keys.recentComments(liveId),
            keys.commentData(liveId),
            keys.commentIndex(liveId),
          ],
          [commentId, COMMENT_EVENT.new, now(), limits.logMaxLen, limits.recent],
        );
        json = seq > 0 ? held : null;
      } else {
        json = await scripts.run<string | null>('hash-take', [keys.held(liveId)], [commentId]);
      }
      if (!json) throw scriptError('comment-release', -1);
      const comment = JSON.parse(json) as Comment;
      await audit({
        liveId,
        actor: { id: actor.sub, name: actor.name },
        action: approve ? 'approve' : 'reject',
        targetUserId: comment.by.id,
        targetCommentId: commentId,
        detail: { text: comment.text },
      });
      return { published: approve };
    },

    async settings(liveId: string): Promise<ChatSettings> {
      return settingsOf(await redis.hgetall(keys.chat(liveId)));
    },

    /** Changes chat settings; announces them to the room and audits the change. */
    async setSettings(actor: Actor, patch: ChatSettingsPayload): Promise<ChatSettings> {
      const { liveId, slowModeSec, followersOnly, buyersOnly } = patch;
      const fields: Record<string, string> = {};
      if (slowModeSec !== undefined) fields.slowMs = String(slowModeSec * 1000);
      if (followersOnly !== undefined) fields.followersOnly = followersOnly ? '1' : '0';
      if (buyersOnly !== undefined) fields.buyersOnly = buyersOnly ? '1' : '0';
      if (Object.keys(fields).length > 0) await redis.hset(keys.chat(liveId), fields);
      const settings = settingsOf(await redis.hgetall(keys.chat(liveId)));
      await deps.roomLog.append(liveId, COMMENT_EVENT.settings, settings);
      await audit({ liveId, actor: { id: actor.sub, name: actor.name }, action: 'settings', detail: fields });
      return settings;
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

    keywordLists: (liveId: string) => deps.keywords.list(liveId),

    /** Creates or replaces a keyword list; audited. @throws VALIDATION (too many terms) */
    async putKeywordList(actor: Actor, liveId: string, name: string, body: KeywordListBody) {
      const list = await deps.keywords.put(liveId, name, body);
      await audit({
        liveId,
        actor: { id: actor.sub, name: actor.name },
        action: 'keywords',
        detail: { list: name, op: 'put', action: list.action, terms: list.terms.length },
      });
      return list;
    },

    async removeKeywordList(actor: Actor, liveId: string, name: string): Promise<{ removed: boolean }> {
      const removed = await deps.keywords.remove(liveId, name);
      if (removed) {
        await audit({
          liveId,
          actor: { id: actor.sub, name: actor.name },
          action: 'keywords',
          detail: { list: name, op: 'remove' },
        });
      }
      return { removed };
    },

    /** Comments waiting for review, oldest first. */
    async held(liveId: string): Promise<Comment[]> {
      return (await redis.hvals(keys.held(liveId)))
        .map((j) => JSON.parse(j) as Comment)
        .sort((a, b) => a.at - b.at);
    },
  };
}
export type CommentsService = ReturnType<typeof createCommentsService>;
