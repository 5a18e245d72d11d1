/**
 * Composition root of an API node: infrastructure → the realtime core (room log, presence, snapshots, room tail,
 * membership) → HTTP infrastructure → every feature in composition/features.ts → the static client →
 * Socket.IO → the features' background work. Closed in reverse. Used by main.ts and by every integration test.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import type { ServerToClientEvents } from '@lc/contracts/events';
import type { ApiContext, Runtime, Stop } from './composition/feature';
import { FEATURES } from './composition/features';
import { createServiceRegistry } from './composition/services';
import type { Config } from './config';
import { registerAccess } from './features/auth/access';
import { createTokens } from './features/auth/tokens';
import { registerDocs } from './http/docs';
import { registerErrorHandler } from './http/error-handler';
import { createFastify } from './http/fastify';
import { type HealthCheck, registerHealthRoutes } from './http/health';
import { createLeanRoutes } from './http/lean-routes';
import { createMetrics, registerMetricsRoute } from './http/metrics';
import { openInfra } from './infra';
import { endOfLiveQueue } from './jobs/end-of-live.jobs';
import type { BoundHandler } from './realtime/define-handler';
import { createRealtime } from './realtime/io';
import { createJoinHooks } from './realtime/join-hooks';
import { createMembership } from './realtime/membership';
import { createNodeRegistry } from './realtime/node-registry';
import { createPresence } from './realtime/presence';
import { startPresenceTicker } from './realtime/presence-ticker';
import { createRoomActions } from './realtime/room-actions';
import { createRoomLog } from './realtime/room-log';
import { createRoomTail } from './realtime/room-tail';
import { startRoomTicker } from './realtime/room-ticker';
import { createSnapshots } from './realtime/snapshot';
import type { AppServer, AppSocket } from './realtime/types';
import { roomName } from './realtime/types';
import { closeRedis, createRedis, whenReady } from './redis/client';

export interface BuildOptions {
  /** Extra readiness checks merged into /readyz. */
  readyChecks?: Record<string, () => Promise<unknown>>;
  logStream?: NodeJS.WritableStream;
  /** Built web client to serve when SERVE_CLIENT is on (default client/dist; browser tests build elsewhere). */
  clientDir?: string;
}

type FrameEvents = Parameters<ServerToClientEvents['room:events']>[0]['events'];

export async function buildApp(config: Config, opts: BuildOptions = {}) {
  const lean = createLeanRoutes();
  const app = createFastify({
    lean,
    logLevel: config.LOG_LEVEL,
    trustProxy: config.TRUST_PROXY,
    nodeId: config.NODE_ID,
    logStream: opts.logStream,
  });
  const log = app.log;
  const closers: Array<[string, Stop]> = [];

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
  lean.configure({ log: app.log, metrics, enabled: config.LEAN_ROUTES });
  const services = createServiceRegistry();

  // Realtime core (Socket.IO itself starts after every feature registered its handlers)
  let io: AppServer | undefined;
  const ioNow = (): AppServer => {
    if (!io) throw new Error('Socket.IO is not running yet');
    return io;
  };
  const tokens = createTokens({ secret: config.TOKEN_SECRET, ttlSeconds: config.TOKEN_TTL_SECONDS });
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
    live: (liveId) => services.use('lives').get(liveId),
    recentCount: config.SNAPSHOT_RECENT,
    roomCacheMs: config.SNAPSHOT_CACHE_MS,
  });
  const joinHooks = createJoinHooks({ onError: (err, hook) => log.warn({ err, hook }, 'join hook failed') });
  const frameListeners: Array<(liveId: string, events: FrameEvents) => void> = [];
  const leaveListeners: Array<(socket: AppSocket, liveId: string) => void> = [];
  const tail = createRoomTail({
    redis: tailConn,
    cmd: redis,
    keys,
    frameMs: config.FRAME_MS,
    onFrame: (liveId, events) => {
      for (const fn of frameListeners) fn(liveId, events);
      metrics.framesEmitted.inc();
      io?.local.to(roomName(liveId)).emit('room:events', { liveId, events });
    },
    onError: (err) => log.error({ err }, 'room tail read failed'),
  });
  closers.push(['room-tail', () => tail.close()]);
  const nodes = createNodeRegistry({
    redis,
    scripts,
    keys,
    presence,
    nodeId: config.NODE_ID,
    heartbeatMs: config.NODE_HEARTBEAT_MS,
    deadAfterMs: config.NODE_DEAD_AFTER_MS,
    localConnections: function* () {
      for (const socket of io?.of('/').sockets.values() ?? [])
        for (const liveId of socket.data.joined?.keys() ?? []) yield { liveId, userId: socket.data.user.sub };
    },
    log,
  });
  const membership = createMembership({
    io: ioNow,
    presence,
    tail,
    nodeId: config.NODE_ID,
    beforeJoin: (liveId) => nodes.noteRoom(liveId),
    onLeave: (socket, liveId) => {
      for (const fn of leaveListeners) fn(socket, liveId);
    },
  });

  // HTTP infrastructure (fixed order: error handler → docs → metrics → health → features → static client)
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
  const readyChecks: Record<string, HealthCheck> = {
    redis: async () => {
      await redis.ping();
    },
    ledger: () => db.ping(),
  };
  registerHealthRoutes(app, { checks: readyChecks });

  // Features
  // Authorization before parsing and validation: routes declare `config.access` (registered before any route).
  const access = registerAccess(app, {
    tokens,
    roleOf: (user, liveId) => services.use('lives').roleOf(user, liveId),
  });
  const handlers: BoundHandler[] = [];
  const starters: Array<[string, (rt: Runtime) => Stop | undefined]> = [];
  const ctx: ApiContext = {
    ...services,
    config,
    log,
    app,
    lean,
    tokens,
    redis,
    db,
    keys,
    scripts,
    infra,
    metrics,
    endQueue,
    roomLog,
    presence,
    snapshots,
    joinHooks,
    membership,
    actions: createRoomActions(ioNow),
    io: ioNow,
    handle: (...h) => {
      handlers.push(...h);
    },
    onStart: (name, start) => {
      starters.push([name, start]);
    },
    onClose: (name, close) => {
      closers.push([name, close]);
    },
    roomTicker: (name, t) => {
      starters.push([
        name,
        ({ io, tail }) => {
          const ticker = startRoomTicker({
            tail,
            intervalMs: t.intervalMs ?? config.COUNTERS_BROADCAST_MS,
            read: t.read,
            emit: (liveId, value) => t.emit(io, liveId, value),
            onError: (err) => log.warn({ err, ticker: name }, 'counter broadcast failed'),
          });
          return () => ticker.stop();
        },
      ]);
    },
    readyCheck: (name, check) => {
      if (readyChecks[name]) throw new Error(`readiness check ${name} registered twice`);
      readyChecks[name] = check;
    },
    onRoomFrame: (fn) => {
      frameListeners.push(fn);
    },
    onSocketLeave: (fn) => {
      leaveListeners.push(fn);
    },
  };
  for (const feature of FEATURES) await feature.api?.(ctx);
  Object.assign(readyChecks, opts.readyChecks);
  const lives = services.use('lives');

  const clientDist = opts.clientDir ?? join(process.cwd(), 'client', 'dist');
  if (config.SERVE_CLIENT && existsSync(clientDist)) {
    await app.register(fastifyStatic, { root: clientDist, prefix: '/', wildcard: false });
  }

  // Realtime
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
    socketsPerTick: config.PRESENCE_SOCKETS_PER_TICK,
    onError: (err) => log.warn({ err }, 'presence tick failed'),
  });
  closers.push(['presence', () => ticker.stop()]);
  for (const [name, start] of starters) {
    const stop = start({ io, tail });
    if (stop) closers.push([name, stop]);
  }
  // Heartbeats start once Socket.IO runs (a repair records its sockets); unlisted after presence is released.
  await nodes.start();
  closers.push(['node-unlist', () => nodes.leave()]);
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
    /** The realtime core and infrastructure; features' services through `use` / `maybe`. */
    deps: {
      redis,
      db,
      keys,
      scripts,
      tokens,
      roomLog,
      presence,
      snapshots,
      membership,
      nodes,
      endQueue,
      metrics,
    },
    use: services.use,
    maybe: services.maybe,
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
