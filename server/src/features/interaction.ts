/**
 * Composition of the interaction features (comments, moderation, likes, Q&A, polls, follows and shares):
 * builds their services once, registers their routes, snapshot contributors and join hooks, and returns
 * their socket handlers and background tickers. Kept out of app.ts so that file stays the infrastructure
 * composition root.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../config';
import type { App } from '../http/fastify';
import type { Db } from '../ledger/db';
import { createModerationLogRepo } from '../ledger/moderation-log.repo';
import { createJoinHooks } from '../realtime/join-hooks';
import { createRoomActions } from '../realtime/room-actions';
import type { RoomLog } from '../realtime/room-log';
import type { RoomTail } from '../realtime/room-tail';
import type { Snapshots } from '../realtime/snapshot';
import type { AppServer } from '../realtime/types';
import type { Keys } from '../redis/keys';
import type { Scripts } from '../redis/scripts';
import type { AuthHooks } from './auth/auth.hook';
import { createBuyerRegistry } from './comments/chat-gates';
import { commentsRoutes } from './comments/comments.routes';
import { createCommentsService } from './comments/comments.service';
import { commentsSocketHandlers } from './comments/comments.socket';
import { createKeywords } from './comments/keywords';
import type { LivesService } from './lives/lives.service';
import { moderationRoutes } from './moderation/moderation.routes';
import { createModerationService } from './moderation/moderation.service';
import { moderationSocketHandlers } from './moderation/moderation.socket';
import type { ModeratorsStore } from './moderation/moderators.store';

type Log = { warn(o: object, m?: string): void; error(o: object, m?: string): void };

export function buildInteraction(deps: {
  config: Config;
  log: Log;
  app: App;
  hooks: AuthHooks;
  redis: Redis;
  db: Db;
  keys: Keys;
  scripts: Scripts;
  roomLog: RoomLog;
  snapshots: Snapshots;
  lives: LivesService;
  moderators: ModeratorsStore;
  io: () => AppServer;
}) {
  const { config, log, app, hooks, redis, db, keys, scripts, roomLog, snapshots, lives } = deps;
  const joinHooks = createJoinHooks({ onError: (err, hook) => log.warn({ err, hook }, 'join hook failed') });
  const actions = createRoomActions(deps.io);
  const audit = createModerationLogRepo(db);
  const buyers = createBuyerRegistry();

  const moderation = createModerationService({
    redis,
    keys,
    roomLog,
    moderators: deps.moderators,
    lives,
    audit,
    actions,
  });
  const comments = createCommentsService({
    redis,
    scripts,
    keys,
    keywords: createKeywords({ redis, keys, maxTerms: config.KEYWORD_MAX_TERMS }),
    lives,
    followers: {
      isFollower: async (hostId, userId) => (await redis.sismember(keys.followers(hostId), userId)) === 1,
    },
    buyers,
    audit,
    actions,
    roomLog,
    limits: {
      rateCount: config.COMMENT_RATE_COUNT,
      rateWindowMs: config.COMMENT_RATE_WINDOW_MS,
      recent: config.COMMENT_RECENT,
      roomMaxPerSec: config.COMMENT_ROOM_MAX_PER_SEC,
      logMaxLen: config.ROOM_LOG_MAX_LEN,
    },
  });

  joinHooks.guard('moderation', (ctx) => moderation.guard(ctx));
  joinHooks.after('moderation', (ctx) => moderation.afterJoin(ctx));
  snapshots.contribute('comments', ({ live, user, role }) => comments.snapshot(live.id, user, role));
  snapshots.contribute('moderation', ({ live }) => moderation.snapshot(live.id));

  commentsRoutes(app, { comments, lives, hooks });
  moderationRoutes(app, { moderation, lives, hooks });

  const handlers = [
    ...commentsSocketHandlers({ comments, maxChars: config.COMMENT_MAX_CHARS }),
    ...moderationSocketHandlers({ moderation }),
  ];

  return {
    joinHooks,
    handlers,
    comments,
    moderation,
    /** Extension point for buyers-only chat (the commerce feature registers its check). */
    buyers,
    /** Starts the background tickers once Socket.IO is up; returns their stop function. */
    start(_io: AppServer, _tail: RoomTail): () => Promise<void> {
      return async () => {};
    },
  };
}
export type Interaction = ReturnType<typeof buildInteraction>;
