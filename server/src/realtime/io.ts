/**
 * Socket.IO setup: Redis adapter (cross-node emits), origin check in `allowRequest` (before any upgrade),
 * token check in the handshake middleware, handler registration, and the per-node room tail that turns room
 * logs into frames for local sockets.
 */
import type { Server as HttpServer } from 'node:http';
import { AppError } from '@lc/contracts/errors';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { Server } from 'socket.io';
import type { Tokens } from '../features/auth/tokens';
import type { BoundHandler, HandlerDeps } from './define-handler';
import { createDispatcher, toErrorBody } from './define-handler';
import { type AppServer, type AppSocket, deviceRoom, userRoom } from './types';
import { ReasonedWebSocketServer } from './ws-engine';

export interface RealtimeOptions {
  httpServer: HttpServer;
  tokens: Tokens;
  allowedOrigins: string[];
  adapterKey: string;
  pub: Redis;
  sub: Redis;
  handlers: BoundHandler[];
  handlerDeps: HandlerDeps;
  /** Largest message a client may send (SOCKET_MAX_MESSAGE_BYTES). */
  maxMessageBytes: number;
  /** Called for each socket after auth, before handlers run (e.g. disconnect bookkeeping). */
  onConnection?: (socket: AppSocket) => void;
}

/**
 * Browsers always send `Origin` on cross-site WebSocket and XHR requests, so a foreign page is refused here.
 * Requests without `Origin` (native apps, load generators) are authenticated by their token alone.
 */
export function originAllowed(origin: string | undefined, allowed: string[]): boolean {
  if (!origin) return true;
  return allowed.includes('*') || allowed.includes(origin);
}

export function createRealtime(opts: RealtimeOptions): AppServer {
  const dispatch = createDispatcher(opts.handlers, opts.handlerDeps);
  const io: AppServer = new Server(opts.httpServer, {
    serveClient: false,
    cors: { origin: opts.allowedOrigins, credentials: true },
    allowRequest: (req, cb) => {
      if (originAllowed(req.headers.origin, opts.allowedOrigins)) cb(null, true);
      else cb('ORIGIN_NOT_ALLOWED: origin is not in ALLOWED_ORIGINS', false);
    },
    adapter: createAdapter(opts.pub, opts.sub, { key: opts.adapterKey }),
    pingInterval: 20_000,
    pingTimeout: 20_000,
    maxHttpBufferSize: opts.maxMessageBytes,
    wsEngine: ReasonedWebSocketServer,
  });

  io.use(async (socket, next) => {
    try {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      socket.data.user = await opts.tokens.verify(typeof token === 'string' ? token : undefined);
      socket.data.joined = new Map();
      next();
    } catch (err) {
      const body = toErrorBody(err instanceof AppError ? err : new AppError('UNAUTHENTICATED'));
      const e = new Error(`${body.code}: ${body.message}`) as Error & { data?: unknown };
      e.data = body;
      next(e);
    }
  });

  io.on('connection', (socket) => {
    // Person-addressed rooms (see room-actions.ts): all tabs of a user, all identities of a device.
    socket.join(userRoom(socket.data.user.sub));
    if (socket.data.user.dev) socket.join(deviceRoom(socket.data.user.dev));
    opts.onConnection?.(socket);
    socket.onAny(dispatch);
  });
  return io;
}
