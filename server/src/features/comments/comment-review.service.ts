/**
 * Staff actions on a live's chat: delete a published comment everywhere, publish or drop a held one, list the
 * review queue, change chat settings (slow mode, followers-only, buyers-only). Every action is audited.
 */
import type { TokenClaims } from '@lc/contracts/auth.schema';
import {
  type ChatSettings,
  type ChatSettingsPayload,
  COMMENT_EVENT,
  type Comment,
} from '@lc/contracts/comment.schema';
import type { Redis } from 'ioredis';
import type { ModerationLogRepo } from '../../ledger/moderation-log.repo';
import type { RoomLog } from '../../realtime/room-log';
import type { Keys } from '../../redis/keys';
import { checkScript, scriptError } from '../../redis/script-results';
import type { Scripts } from '../../redis/scripts';
import { settingsOf } from './chat-settings';

type Actor = Pick<TokenClaims, 'sub' | 'name'>;

export function createCommentReview(deps: {
  redis: Redis;
  scripts: Scripts;
  keys: Keys;
  roomLog: RoomLog;
  audit: ModerationLogRepo;
  limits: { recent: number; logMaxLen: number };
  now?: () => number;
}) {
  const { redis, scripts, keys, limits } = deps;
  const now = deps.now ?? Date.now;
  const audit = deps.audit.record;

  return {
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

    /** Comments waiting for review, oldest first. */
    async held(liveId: string): Promise<Comment[]> {
      return (await redis.hvals(keys.held(liveId)))
        .map((j) => JSON.parse(j) as Comment)
        .sort((a, b) => a.at - b.at);
    },
  };
}
export type CommentReview = ReturnType<typeof createCommentReview>;
