/**
 * Composition root: builds every dependency of an API node once, in order (infrastructure → services →
 * HTTP → realtime), and closes them in reverse. Used by main.ts and by every integration test.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import { ROOM_EVENT } from '@lc/contracts/room.schema';
import type { Config } from './config';
import { registerAccess } from './features/auth/access';
import { authRoutes } from './features/auth/auth.routes';
import { createAuthService } from './features/auth/auth.service';
import { createTokens } from './features/auth/tokens';
import { buildCommerce, type Commerce } from './features/commerce/commerce';
import type { FeatureDeps } from './features/feature-deps';
import { buildInteraction } from './features/interaction';
import { livesRoutes } from './features/lives/lives.routes';
import { createLivesService } from './features/lives/lives.service';
import { livesSocketHandlers } from './features/lives/lives.socket';
import { buildLottery } from './features/lottery/lottery';
import { createModeratorsStore } from './features/moderation/moderators.store';
import { mediaReadiness, openMediaPool, registerMediaMetrics } from './features/sfu/media-pool';
import { createSfuService, type SfuService } from './features/sfu/sfu.service';
import { sfuSocketHandlers } from './features/sfu/sfu.socket';
import { registerDocs } from './http/docs';
import { registerErrorHandler } from './http/error-handler';
import { createFastify } from './http/fastify';
import { registerHealthRoutes } from './http/health';
import { createMetrics, registerMetricsRoute } from './http/metrics';
import { openInfra } from './infra';
import { endOfLiveQueue } from './jobs/end-of-live.worker';
import { createLivesRepo } from './ledger/lives.repo';
import { createUsersRepo } from './ledger/users.repo';
import { createRealtime } from './realtime/io';
import { createMembership } from './realtime/membership';
import { createPresence } from './realtime/presence';
import { startPresenceTicker } from './realtime/presence-ticker';
import { createRoomLog } from './realtime/room-log';
import { createRoomTail } from './realtime/room-tail';
import { createSnapshots } from './realtime/snapshot';
import type { AppServer } from './realtime/types';
import { roomName } from './realtime/types';
import { closeRedis, createRedis, whenReady } from './redis/client';

export interface BuildOptions {
  /** Extra readiness checks (e.g. media workers) merged into /readyz. */
  readyChecks?: Record<string, () => Promise<unknown>>;
  logStream?: NodeJS.WritableStream;
  /** Built web client to serve when SERVE_CLIENT is on (default client/dist; browser tests build elsewhere). */
  clientDir?: string;
}

export async function buildApp(config: Config, opts: BuildOptions = {}) {
  const app = createFastify({
    logLevel: config.LOG_LEVEL,
    trustProxy: config.TRUST_PROXY,
    nodeId: config.NODE_ID,
    logStream: opts.logStream,
  });
  const log = app.log;
  const closers: Array<[string, () => Promise<unknown> | unknown]> = [];

  // Infrastructure
  const infra = await openInfra(config, log, 'api');
  closers.push(['infra', () => infra.close()]);
  const { redis, db, keys, scripts } = infra;
  const pub = createRedis(config.REDIS_URL!, `lc-api-pub-${config.NODE_ID}`);
  const sub = createRedis(config.REDIS_URL!, `lc-api-sub-${config.NODE_ID}`);
  const tailConn = createRedis(config.REDIS_URL!, `lc-api-tail-${config.NODE_ID}`, {
    maxRetriesPerRequest: null,
  });
  closers.push(['redis-pubsub', () => Promise.all([closeRedis(pub), closeRedis(sub)])]);
  // NOTE: the adapter subscribes at once; see whenReady for why it must wait.
  await Promise.all([whenReady(pub), whenReady(sub)]);
  const endQueue = endOfLiveQueue(infra.bull.connection, infra.bull.prefix);
  closers.push(['queues', () => endQueue.close()]);
  const metrics = createMetrics();
  // Media: mediasoup workers (MEDIA_ENABLED=false skips them; sfu:* then answers UNAVAILABLE).
  const media = config.MEDIA_ENABLED ? await openMediaPool(config, log) : undefined;
  if (media) closers.push(['media-workers', () => media.pool.close()]);

  // Services
  const tokens = createTokens({ secret: config.TOKEN_SECRET, ttlSeconds: config.TOKEN_TTL_SECONDS });
  const auth = createAuthService({ users: createUsersRepo(db), tokens });
  const roomLog = createRoomLog({
    redis,
    scripts,
    keys,
    maxLen: config.ROOM_LOG_MAX_LEN,
    onAppend: (type) => metrics.roomEventsPublished.inc({ type }),
  });
  const presence = createPresence({ redis, scripts, keys, nodeId: config.NODE_ID });
  const snapshots = createSnapshots({
    roomLog,
    presence,
    live: (liveId) => lives.get(liveId),
    recentCount: config.SNAPSHOT_RECENT,
    roomCacheMs: config.SNAPSHOT_CACHE_MS,
  });
  const moderators = createModeratorsStore({ redis, keys });
  let sfu: SfuService | undefined;
  let commerce: Commerce | undefined;
  const lives = createLivesService({
    moderators,
    lives: createLivesRepo(db),
    roomLog,
    endOfLiveQueue: endQueue,
    onEnded: (liveId) => {
      sfu?.closeLive(liveId);
      commerce?.onLiveEnded(liveId).catch((err) => log.warn({ err, liveId }, 'closing sales failed'));
    },
  });
  if (media) {
    sfu = createSfuService({ pool: media.pool, lives, log });
    closers.push(['media-rooms', () => sfu?.close()]);
    registerMediaMetrics(metrics, media.pool, sfu);
  }

  // HTTP (fixed order: error handler → docs → metrics → health → features → static client)
  registerErrorHandler(app);
  // Per-route limits (auth routes opt in); counters live in Redis so every node shares them.
  await app.register(fastifyRateLimit, { global: false, redis, nameSpace: `${keys.prefix}:rl:` });
  await registerDocs(app, {
    title: 'Live-commerce room server',
    version: '0.1.0',
    publicUrl: config.PUBLIC_URL,
  });
  registerMetricsRoute(app, metrics);
  metrics.addCollector(async () => {
    const counts = await endQueue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
    for (const [state, n] of Object.entries(counts)) metrics.jobs.set({ queue: endQueue.name, state }, n);
  });
  metrics.addCollector(async () => {
    const t = process.hrtime.bigint();
    await redis.ping();
    metrics.redisLatency.observe(Number(process.hrtime.bigint() - t) / 1e9);
  });
  registerHealthRoutes(app, {
    checks: {
      redis: async () => {
        await redis.ping();
      },
      ledger: () => db.ping(),
      ...(media ? { media: mediaReadiness(media.pool, media.network) } : {}),
      ...opts.readyChecks,
    },
  });
  // Authorization before parsing and validation: routes declare `config.access`.
  const access = registerAccess(app, { tokens, roleOf: (user, liveId) => lives.roleOf(user, liveId) });
  authRoutes(app, { auth, perMinute: config.AUTH_RATE_LIMIT_PER_MIN });
  // Interaction features (comments, moderation, likes, Q&A, polls, follows, shares): routes + services.
  const core: FeatureDeps = { config, log, app, redis, db, keys, scripts, roomLog, snapshots };
  const interaction = buildInteraction({ ...core, lives, moderators, io: () => io! });
  const joinHooks = interaction.joinHooks;
  livesRoutes(app, { lives, snapshots, joinHooks });
  // Commerce (products, flash sales, payments, coupons, report): routes + services; settlement is in the worker.
  commerce = await buildCommerce({
    ...core,
    lives,
    io: () => io!,
    buyers: interaction.buyers,
    likeGoals: interaction.likes,
  });
  // Lottery (create, enter, verifiable draw, audit route); uses comments, follows, buyers and watch time.
  const lottery = buildLottery({ ...core, lives, presence, interaction, coupons: commerce.coupons });
  const clientDist = opts.clientDir ?? join(process.cwd(), 'client', 'dist');
  if (config.SERVE_CLIENT && existsSync(clientDist)) {
    await app.register(fastifyStatic, { root: clientDist, prefix: '/', wildcard: false });
  }

  // Realtime
  let io: AppServer | undefined;
  const tail = createRoomTail({
    redis: tailConn,
    cmd: redis,
    keys,
    frameMs: config.FRAME_MS,
    onFrame: (liveId, events) => {
      // NOTE: how a node that did not end the live itself closes that live's media room.
      if (
        events.some(
          (e) => e.type === ROOM_EVENT.liveStatus && (e.data as { status?: string }).status === 'ended',
        )
      )
        sfu?.closeLive(liveId);
      if (events.some((e) => e.type === ROOM_EVENT.liveStatus)) lives.forget(liveId);
      metrics.framesEmitted.inc();
      io?.local.to(roomName(liveId)).emit('room:events', { liveId, events });
    },
    onError: (err) => log.error({ err }, 'room tail read failed'),
  });
  closers.push(['room-tail', () => tail.close()]);
  const membership = createMembership({
    io: () => io!,
    presence,
    tail,
    nodeId: config.NODE_ID,
    onLeave: (socket, liveId) => sfu?.leave(liveId, socket.id),
  });
  const handlers = [
    ...livesSocketHandlers({ lives, membership, roomLog, presence, snapshots, joinHooks }),
    ...sfuSocketHandlers({ sfu, io: () => io! }),
  ];
  handlers.push(...interaction.handlers);
  handlers.push(...commerce.handlers);
  handlers.push(...lottery.handlers);
  io = createRealtime({
    httpServer: app.server,
    tokens,
    allowedOrigins: config.ALLOWED_ORIGINS,
    adapterKey: keys.adapterChannel,
    pub,
    sub,
    handlers,
    maxMessageBytes: config.SOCKET_MAX_MESSAGE_BYTES,
    handlerDeps: {
      async roleIn(socket, liveId) {
        // NOTE: read fresh (host id cached, moderators from Redis): appointments apply to joined sockets too.
        const role = await lives.roleOf(socket.data.user, liveId);
        const joined = socket.data.joined.get(liveId);
        if (joined) joined.role = role;
        return role;
      },
      onOutcome: (event, outcome) => metrics.socketEvents.inc({ event, outcome }),
      logError: (err, event) => log.error({ err, event }, 'socket handler failed'),
    },
    onConnection(socket) {
      metrics.sockets.inc();
      socket.on('disconnect', () => {
        metrics.sockets.dec();
        membership.leaveAll(socket).catch((err) => log.error({ err }, 'presence leave failed'));
      });
    },
  });
  const ticker = startPresenceTicker({
    io,
    presence,
    tail,
    intervalMs: config.PRESENCE_MS,
    onError: (err) => log.warn({ err }, 'presence tick failed'),
  });
  closers.push(['presence', () => ticker.stop()]);
  closers.push(['interaction', interaction.start(io, tail)]);
  closers.push(['commerce', commerce.start()]);
  closers.push(['lottery', lottery.start(io, tail)]);
  closers.push(['presence-release', () => membership.releaseNode()]);

  let closed: Promise<void> | undefined;
  return {
    app,
    io,
    config,
    infra,
    handlers,
    /** HTTP routes with their declared access (what the access tests walk). */
    accessRoutes: access.routes,
    deps: {
      redis,
      db,
      keys,
      scripts,
      tokens,
      auth,
      lives,
      roomLog,
      presence,
      snapshots,
      membership,
      interaction,
      commerce,
      lottery: lottery.lottery,
      endQueue,
      metrics,
      mediaPool: media?.pool,
      sfu,
    },
    /** Graceful shutdown in reverse build order; idempotent. */
    close(): Promise<void> {
      closed ??= (async () => {
        // NOTE: io.close() closes the HTTP server too; do it via fastify so onClose hooks run.
        // NOTE: `local` — without it the Redis adapter disconnects every node's sockets.
        io!.local.disconnectSockets(true);
        await new Promise<void>((r) => io!.close(() => r()));
        await app.close().catch(() => {});
        await closeRedis(tailConn);
        for (const [name, fn] of closers.reverse()) {
          try {
            await fn();
          } catch (err) {
            log.warn({ err, step: name }, 'shutdown step failed');
          }
        }
      })();
      return closed;
    },
  };
}
export type BuiltApp = Awaited<ReturnType<typeof buildApp>>;
