/**
 * Composition of the interaction features (comments, moderation, likes, Q&A, polls, follows and shares):
 * builds their services once, registers their routes, snapshot contributors and join hooks, and returns
 * their socket handlers and background tickers. Kept out of app.ts so that file stays the infrastructure
 * composition root.
 */

import type { TokenClaims } from '@lc/contracts/auth.schema';
import { createModerationLogRepo } from '../ledger/moderation-log.repo';
import { createPollsRepo } from '../ledger/polls.repo';
import { createQuestionsRepo } from '../ledger/questions.repo';
import { createJoinHooks } from '../realtime/join-hooks';
import { createRoomActions } from '../realtime/room-actions';
import type { RoomTail } from '../realtime/room-tail';
import { startRoomTicker } from '../realtime/room-ticker';
import { type AppServer, roomName } from '../realtime/types';
import { createBuyerRegistry } from './comments/chat-gates';
import { commentsRoutes } from './comments/comments.routes';
import { createCommentsService } from './comments/comments.service';
import { commentsSocketHandlers } from './comments/comments.socket';
import { createKeywords } from './comments/keywords';
import type { FeatureDeps } from './feature-deps';
import { createLikesService } from './likes/likes.service';
import { likesSocketHandlers } from './likes/likes.socket';
import type { LivesService } from './lives/lives.service';
import { releasedRoomGuard } from './lives/released-room.guard';
import { moderationRoutes } from './moderation/moderation.routes';
import { createModerationService } from './moderation/moderation.service';
import { moderationSocketHandlers } from './moderation/moderation.socket';
import type { ModeratorsStore } from './moderation/moderators.store';
import { createPollsService } from './polls/polls.service';
import { pollsSocketHandlers } from './polls/polls.socket';
import { qaRoutes } from './qa/qa.routes';
import { createQaService } from './qa/qa.service';
import { qaSocketHandlers } from './qa/qa.socket';
import { socialRoutes } from './social/social.routes';
import { createSocialService } from './social/social.service';
import { socialSocketHandlers } from './social/social.socket';

export function buildInteraction(
  deps: FeatureDeps & {
    lives: LivesService;
    moderators: ModeratorsStore;
    io: () => AppServer;
  },
) {
  const { config, log, app, redis, db, keys, scripts, roomLog, snapshots, lives } = deps;
  const joinHooks = createJoinHooks({ onError: (err, hook) => log.warn({ err, hook }, 'join hook failed') });
  const actions = createRoomActions(deps.io);
  const audit = createModerationLogRepo(db);
  const buyers = createBuyerRegistry();
  const commentListeners: Array<(liveId: string, user: TokenClaims, text: string) => void> = [];

  const moderation = createModerationService({
    redis,
    keys,
    roomLog,
    moderators: deps.moderators,
    lives,
    audit,
    actions,
  });
  const social = createSocialService({
    redis,
    scripts,
    keys,
    db,
    lives,
    secret: config.TOKEN_SECRET,
    publicUrl: config.PUBLIC_URL,
  });
  const comments = createCommentsService({
    redis,
    scripts,
    keys,
    keywords: createKeywords({ redis, keys, maxTerms: config.KEYWORD_MAX_TERMS }),
    lives,
    followers: social,
    buyers,
    audit,
    actions,
    roomLog,
    onPublished: (liveId, user, text) => {
      for (const l of commentListeners) l(liveId, user, text);
    },
    limits: {
      rateCount: config.COMMENT_RATE_COUNT,
      rateWindowMs: config.COMMENT_RATE_WINDOW_MS,
      recent: config.COMMENT_RECENT,
      roomMaxPerSec: config.COMMENT_ROOM_MAX_PER_SEC,
      logMaxLen: config.ROOM_LOG_MAX_LEN,
    },
  });

  const likes = createLikesService({
    redis,
    scripts,
    keys,
    log,
    limits: {
      maxPerMessage: config.LIKE_MAX_PER_MESSAGE,
      maxPerUserPerSec: config.LIKE_MAX_PER_USER_PER_SEC,
      messagesPerSec: config.LIKE_MESSAGES_PER_SEC,
      flushMs: config.LIKE_FLUSH_MS,
      logMaxLen: config.ROOM_LOG_MAX_LEN,
    },
  });

  const qa = createQaService({
    questions: createQuestionsRepo(db),
    roomLog,
    redis,
    scripts,
    keys,
    lives,
    log,
    limits: {
      rateCount: config.QUESTION_RATE_COUNT,
      rateWindowMs: config.QUESTION_RATE_WINDOW_MS,
      votesEveryMs: config.COUNTERS_BROADCAST_MS,
    },
  });
  const polls = createPollsService({
    redis,
    scripts,
    keys,
    roomLog,
    polls: createPollsRepo(db),
    logMaxLen: config.ROOM_LOG_MAX_LEN,
    ended: async (liveId) => (await lives.get(liveId)).status === 'ended',
    log,
  });

  joinHooks.guard('moderation', (ctx) => moderation.guard(ctx));
  joinHooks.guard('released-room', releasedRoomGuard(roomLog));
  joinHooks.after('moderation', (ctx) => moderation.afterJoin(ctx));
  joinHooks.after('shares', async (ctx) => {
    await social.attributeJoin(ctx.live.id, ctx.user, ctx.ref);
  });
  // Room parts are shared by every viewer at one seq; viewer parts add the caller's own state.
  snapshots.contribute('comments', {
    room: (live) => comments.roomSnapshot(live.id),
    viewer: ({ live, user, role }, room) => comments.viewerSnapshot(live.id, user, role, room),
  });
  snapshots.contribute('moderation', { room: (live) => moderation.snapshot(live.id) });
  snapshots.contribute('likes', { room: (live) => likes.snapshot(live.id) });
  snapshots.contribute('qa', {
    room: (live) => qa.roomSnapshot(live.id),
    viewer: ({ live, user }, room) => qa.viewerSnapshot(live.id, user, room),
  });
  snapshots.contribute('poll', {
    room: (live) => polls.roomSnapshot(live.id),
    viewer: ({ live, user }, room) => polls.viewerSnapshot(live.id, user, room),
  });
  snapshots.contribute('social', {
    room: (live) => social.roomSnapshot(live.hostId),
    viewer: ({ live, user }, room) => social.viewerSnapshot(live.hostId, user, room),
  });

  commentsRoutes(app, { comments });
  moderationRoutes(app, { moderation });
  qaRoutes(app, { qa });
  socialRoutes(app, { social });

  const handlers = [
    ...commentsSocketHandlers({ comments, maxChars: config.COMMENT_MAX_CHARS }),
    ...moderationSocketHandlers({ moderation }),
    ...likesSocketHandlers({ likes }),
    ...qaSocketHandlers({ qa, maxChars: config.QUESTION_MAX_CHARS }),
    ...pollsSocketHandlers({ polls }),
    ...socialSocketHandlers({ social }),
  ];

  return {
    joinHooks,
    handlers,
    comments,
    moderation,
    likes,
    qa,
    polls,
    social,
    /** Extension point: a listener of every comment accepted for the room, sampled ones too (lottery keyword entries). */
    onCommentPublished(fn: (liveId: string, user: TokenClaims, text: string) => void) {
      commentListeners.push(fn);
    },
    /** Extension point for buyers-only chat (the commerce feature registers its check). */
    buyers,
    /** Starts the background tickers once Socket.IO is up; returns their stop function. */
    start(io: AppServer, tail: RoomTail): () => Promise<void> {
      likes.start();
      qa.start();
      const onError = (err: unknown) => log.warn({ err }, 'counter broadcast failed');
      const tickers = [
        startRoomTicker({
          tail,
          intervalMs: config.COUNTERS_BROADCAST_MS,
          read: (ids) => likes.totals(ids),
          emit: (liveId, total) => io.local.to(roomName(liveId)).emit('like:total', { liveId, total }),
          onError,
        }),
        startRoomTicker({
          tail,
          intervalMs: config.COUNTERS_BROADCAST_MS,
          read: (ids) => polls.tallies(ids),
          emit: (liveId, t) =>
            io.local
              .to(roomName(liveId))
              .emit('poll:tally', { liveId, pollId: t.pollId, tallies: t.tallies, total: t.total }),
          onError,
        }),
        startRoomTicker({
          tail,
          intervalMs: config.COUNTERS_BROADCAST_MS,
          read: (ids) => social.followerCounts(ids),
          emit: (liveId, followers) =>
            io.local.to(roomName(liveId)).emit('follow:count', { liveId, followers }),
          onError,
        }),
      ];
      return async () => {
        for (const t of tickers) t.stop();
        polls.close();
        await Promise.all([likes.close(), qa.close()]);
      };
    },
  };
}
export type Interaction = ReturnType<typeof buildInteraction>;
