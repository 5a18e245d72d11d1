/**
 * Comments: sending (limits, slow mode, gates, keyword lists), the recent-comments snapshot part, held-comment
 * review and keyword administration. Offers two extension points: `buyers` (commerce says who bought, for
 * buyers-only chat) and `commentFeed` (every comment said in a room, sampled ones too: lottery keywords).
 */
import type { TokenClaims } from '@lc/contracts/auth.schema';
import { defineFeature } from '../../composition/feature';
import { createModerationLogRepo } from '../../ledger/moderation-log.repo';
import { type AuthorTags, type BuyerRegistry, createAuthorTags, createBuyerRegistry } from './chat-gates';
import { createCommentReview } from './comment-review.service';
import { commentsRoutes } from './comments.routes';
import { type CommentsService, createCommentsService } from './comments.service';
import { commentsSocketHandlers } from './comments.socket';
import { createKeywordAdmin } from './keyword-admin.service';
import { createKeywords } from './keywords';

export interface CommentFeed {
  /** A listener of every comment said in a room, sampled ones too (not shadow-banned or held ones). */
  onCommentPublished(fn: (liveId: string, user: TokenClaims, text: string) => void): void;
}

declare module '../../composition/services' {
  interface Services {
    comments: CommentsService;
    buyers: BuyerRegistry;
    authorTags: AuthorTags;
    commentFeed: CommentFeed;
  }
}

export const commentsFeature = defineFeature({
  name: 'comments',
  api(ctx) {
    const { config } = ctx;
    const lives = ctx.use('lives');
    const buyers = createBuyerRegistry();
    const authorTags = createAuthorTags();
    const listeners: Array<(liveId: string, user: TokenClaims, text: string) => void> = [];
    const keywords = createKeywords({ redis: ctx.redis, keys: ctx.keys, maxTerms: config.KEYWORD_MAX_TERMS });
    const comments = createCommentsService({
      redis: ctx.redis,
      scripts: ctx.scripts,
      keys: ctx.keys,
      keywords,
      lives,
      followers: ctx.use('social'),
      buyers,
      tags: authorTags,
      actions: ctx.actions,
      roomLog: ctx.roomLog,
      onPublished: (liveId, user, text) => {
        for (const l of listeners) l(liveId, user, text);
      },
      limits: {
        rateCount: config.COMMENT_RATE_COUNT,
        rateWindowMs: config.COMMENT_RATE_WINDOW_MS,
        recent: config.COMMENT_RECENT,
        roomMaxPerSec: config.COMMENT_ROOM_MAX_PER_SEC,
        logMaxLen: config.ROOM_LOG_MAX_LEN,
      },
    });
    const audit = createModerationLogRepo(ctx.db);
    const review = createCommentReview({
      redis: ctx.redis,
      scripts: ctx.scripts,
      keys: ctx.keys,
      roomLog: ctx.roomLog,
      audit,
      limits: { recent: config.COMMENT_RECENT, logMaxLen: config.ROOM_LOG_MAX_LEN },
    });
    const keywordAdmin = createKeywordAdmin({ keywords, audit });
    ctx.snapshots.contribute('comments', {
      room: (live) => comments.roomSnapshot(live.id),
      viewer: ({ live, user, role }, room) => comments.viewerSnapshot(live.id, user, role, room),
    });
    commentsRoutes(ctx.app, { keywordAdmin, review });
    ctx.handle(...commentsSocketHandlers({ comments, review, maxChars: config.COMMENT_MAX_CHARS }));
    ctx.provide('comments', comments);
    ctx.provide('buyers', buyers);
    ctx.provide('authorTags', authorTags);
    ctx.provide('commentFeed', { onCommentPublished: (fn) => listeners.push(fn) });
  },
});
