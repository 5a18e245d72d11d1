/** Moderation commands, pinned announcements and the audit trail. */
import { z } from 'zod';
import { CommentId, TargetUserId } from './comment.schema';
import { plainText } from './text';

const liveId = z.string().uuid();

export const UserTargetPayload = z.object({ liveId, userId: TargetUserId });
export type UserTargetPayload = z.infer<typeof UserTargetPayload>;

export const MUTE_MAX_SEC = 7 * 24 * 3600;
export const MutePayload = z.object({
  liveId,
  userId: TargetUserId,
  durationSec: z.number().int().min(1).max(MUTE_MAX_SEC),
});
export type MutePayload = z.infer<typeof MutePayload>;

export const BanPayload = z.object({ liveId, userId: TargetUserId, reason: plainText(200).optional() });
export type BanPayload = z.infer<typeof BanPayload>;

export const ShadowPayload = z.object({ liveId, userId: TargetUserId, on: z.boolean() });
export type ShadowPayload = z.infer<typeof ShadowPayload>;

export const CommentRefPayload = z.object({ liveId, commentId: CommentId });
export type CommentRefPayload = z.infer<typeof CommentRefPayload>;

export const ReviewPayload = z.object({ liveId, commentId: CommentId, approve: z.boolean() });
export type ReviewPayload = z.infer<typeof ReviewPayload>;

export const PinPayload = z.object({ liveId, text: plainText(500) });
export type PinPayload = z.infer<typeof PinPayload>;

export const Pinned = z.object({
  text: z.string(),
  by: z.object({ id: z.string(), name: z.string() }),
  at: z.number().int(),
});
export type Pinned = z.infer<typeof Pinned>;

export const ModerationActionType = z.enum([
  'appoint',
  'revoke',
  'delete',
  'mute',
  'unmute',
  'ban',
  'unban',
  'shadow',
  'unshadow',
  'pin',
  'unpin',
  'approve',
  'reject',
  'settings',
  'keywords',
]);
export type ModerationActionType = z.infer<typeof ModerationActionType>;

/** One audited moderation action (ledger table `moderation_actions`). */
export const ModerationAction = z.object({
  id: z.string(),
  liveId: z.string(),
  actorId: z.string(),
  actorName: z.string(),
  action: ModerationActionType,
  targetUserId: z.string().nullable(),
  targetCommentId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  at: z.string(),
});
export type ModerationAction = z.infer<typeof ModerationAction>;

export const ModerationLogQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** Only actions with an id below this (paging, newest first). */
  before: z.coerce.number().int().positive().optional(),
});

export const ModeratorsBody = z.object({ userId: TargetUserId });
export const ModeratorParams = z.object({ liveId, userId: TargetUserId });

/** Room event types of the moderation feature. */
export const MODERATION_EVENT = {
  /** data: Pinned */
  pinned: 'announcement:pinned',
  /** data: { by: { id, name } } */
  unpinned: 'announcement:unpinned',
  /** data: { userId } — the user is a moderator of this live from now on */
  appointed: 'moderator:appointed',
  /** data: { userId } */
  revoked: 'moderator:revoked',
} as const;

export const ModerationSnapshot = z.object({ pinned: Pinned.nullable(), moderators: z.array(z.string()) });
export type ModerationSnapshot = z.infer<typeof ModerationSnapshot>;
