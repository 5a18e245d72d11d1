/** Comments (chat) and their per-room settings: wire shapes shared by server, client and load tests. */
import { z } from 'zod';
import { FanLevel } from './growth.schema';
import { Role } from './ids';
import { plainText } from './text';

export const COMMENT_MAX_CHARS_DEFAULT = 200;
/** Hard ceiling for COMMENT_MAX_CHARS (config can lower or raise the limit up to this). */
export const COMMENT_MAX_CHARS_CEILING = 2000;

export const CommentId = z.string().regex(/^c_[A-Za-z0-9_-]{8,40}$/, 'a comment id');
export const TargetUserId = z.string().min(1).max(64);

/** `level`: the author's fan level with the host (growth loop), absent for `normal` fans and staff. */
export const CommentAuthor = z.object({
  id: z.string(),
  name: z.string(),
  role: Role,
  level: FanLevel.optional(),
});
export type CommentAuthor = z.infer<typeof CommentAuthor>;

/** A comment as viewers see it (`text` already masked when a mask list matched). */
export const Comment = z.object({
  id: z.string(),
  text: z.string(),
  by: CommentAuthor,
  at: z.number().int(),
  /** Room seq of the `comment:new` event; absent for comments only their sender sees. */
  seq: z.number().int().positive().optional(),
});
export type Comment = z.infer<typeof Comment>;

/** `comment:send` payload; `maxChars` is the configured limit (COMMENT_MAX_CHARS), counted in code points. */
export const commentSendPayload = (maxChars = COMMENT_MAX_CHARS_DEFAULT) =>
  z.object({ liveId: z.string().uuid(), text: plainText(maxChars) });
export type CommentSendPayload = z.infer<ReturnType<typeof commentSendPayload>>;

/**
 * `published`: in the room (or, for a restricted sender, shown to them only: the ack never says which);
 * `held`: waiting for a moderator (a hold-for-review keyword matched).
 */
export type CommentSendResult = { comment: Comment; status: 'published' | 'held' };

export const ChatSettings = z.object({
  /** Seconds a viewer waits between two comments (0: off). Host and moderators are exempt. */
  slowModeSec: z.number().int().min(0).max(3600),
  /** Only followers of the host may comment. */
  followersOnly: z.boolean(),
  /** Only buyers in this live may comment (the commerce feature decides who is a buyer). */
  buyersOnly: z.boolean(),
});
export type ChatSettings = z.infer<typeof ChatSettings>;

export const ChatSettingsPayload = ChatSettings.partial().extend({ liveId: z.string().uuid() });
export type ChatSettingsPayload = z.infer<typeof ChatSettingsPayload>;

export const KeywordAction = z.enum(['block', 'mask', 'hold']);
export type KeywordAction = z.infer<typeof KeywordAction>;
export const KeywordListName = z.string().regex(/^[a-z0-9_-]{1,32}$/, 'a-z, 0-9, _ and - (1-32)');
export const KEYWORD_TERM_MAX_CHARS = 50;

export const KeywordListBody = z.object({
  action: KeywordAction,
  /** Matched as substrings, case-insensitively and width-insensitively (NFKC), no word boundaries needed. */
  terms: z.array(plainText(KEYWORD_TERM_MAX_CHARS)).max(50_000),
});
export type KeywordListBody = z.infer<typeof KeywordListBody>;
/** A stored list (response shape: terms already normalized and deduplicated). */
export const KeywordList = z.object({
  name: KeywordListName,
  action: KeywordAction,
  terms: z.array(z.string()),
});
export type KeywordList = z.infer<typeof KeywordList>;
export const KeywordListParams = z.object({ liveId: z.string().uuid(), name: KeywordListName });

/** What the join snapshot carries under `features.comments`. */
export const CommentsSnapshot = z.object({
  /** Most recent visible comments, oldest first (deleted ones removed). */
  recent: z.array(Comment),
  settings: ChatSettings,
  /** Staff only: comments waiting for review. */
  held: z.array(Comment).optional(),
});
export type CommentsSnapshot = z.infer<typeof CommentsSnapshot>;

/** Room event types of the comments feature. */
export const COMMENT_EVENT = {
  /** data: Comment (without seq: the event's seq is the comment's) */
  new: 'comment:new',
  /** data: { id, seq, by: { id, name } } — remove the comment everywhere */
  deleted: 'comment:deleted',
  /** data: ChatSettings */
  settings: 'chat:settings',
} as const;
