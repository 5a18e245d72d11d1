/**
 * Process configuration: every environment variable the server and worker read, parsed once with zod.
 * A bad value stops the process with a message naming the variable (see README "Configuration").
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { userUrlProblem } from '@lc/contracts/url';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);
const url = z.string().url();

export const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Where browsers reach this node; used for printed URLs and the default allowed origin. */
  PUBLIC_URL: url.optional(),
  /** Unset: the start command launches a local redis-server under DATA_DIR. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  /** Prefix for every Redis key and BullMQ queue; lets several deployments or tests share one Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,32}$/)
    .default('lc'),
  /** Unset: PGlite (embedded Postgres) under DATA_DIR/ledger. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  /** PostgreSQL ledger: longest wait for a new connection (a crashed or unreachable server fails fast). */
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  /** PostgreSQL ledger: longest wait for one query's answer; also its server-side statement_timeout. */
  DATABASE_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  DATA_DIR: z.string().min(1).default('.data'),
  /** HMAC secret for tokens; at least 32 characters. Unset outside production: generated once under DATA_DIR. */
  TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(60 * 60 * 24 * 30)
    .default(60 * 60 * 12),
  /** Comma-separated browser origins allowed for Socket.IO and CORS; defaults to PUBLIC_URL's origin. */
  ALLOWED_ORIGINS: csv.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Room event log length kept in Redis (events older than this get a snapshot on reconnect). */
  ROOM_LOG_MAX_LEN: z.coerce.number().int().min(10).max(1_000_000).default(2000),
  /** Broadcast frame interval per room, milliseconds. */
  FRAME_MS: z.coerce.number().int().min(10).max(1000).default(50),
  /** Presence broadcast interval, milliseconds. */
  PRESENCE_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  /**
   * A room with more sockets on this node than this gets its presence every PRESENCE_MS × ceil(sockets / this)
   * instead (0: always every PRESENCE_MS): each push is one write per socket, so a join storm into a big room
   * would otherwise spend a good part of its CPU telling everyone the count moved.
   */
  PRESENCE_SOCKETS_PER_TICK: z.coerce.number().int().min(0).max(1_000_000).default(2000),
  /**
   * The lean path for the hottest routes (http/lean-routes.ts): same answers as their Fastify routes at a fraction
   * of the CPU. Off: every request goes through Fastify (A/B runs, or if the lean path is ever in doubt).
   */
  LEAN_ROUTES: bool.default(true),
  /** API node heartbeat interval; survivors look for dead nodes every half interval. */
  NODE_HEARTBEAT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  /** A node silent this long is swept: its presence released, its watch sessions closed at its last beat. */
  NODE_DEAD_AFTER_MS: z.coerce.number().int().min(200).max(600_000).default(3000),
  /**
   * Job lock of the end-of-live worker: a worker that dies mid-job (SIGKILL, OOM, lost machine) has its job
   * taken up by another (or by itself restarted) about this long after its last lock renewal.
   */
  JOB_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /** Times an end-of-live job may lose its worker mid-run before it fails (its steps are idempotent). */
  JOB_MAX_STALLED: z.coerce.number().int().min(0).max(100).default(8),
  /** Recent room events included in a join snapshot. */
  SNAPSHOT_RECENT: z.coerce.number().int().min(0).max(500).default(50),
  /** How long a room's shared snapshot part is reused at one seq; bounds the age of unlogged counters. */
  SNAPSHOT_CACHE_MS: z.coerce.number().int().min(0).max(5000).default(250),
  /**
   * Largest Socket.IO message a client may send (bytes); a bigger one closes the connection with
   * MESSAGE_TOO_LARGE (WebSocket close 1009, or HTTP 413 on long-polling). Keyword lists go over HTTP.
   */
  SOCKET_MAX_MESSAGE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(64 * 1024),
  /** Attempts per minute per client IP on register/login/guest (brute-force and sign-up spam guard). */
  AUTH_RATE_LIMIT_PER_MIN: z.coerce.number().int().min(1).max(100_000).default(30),
  // Interaction (comments, likes, Q&A, polls); see README "Interaction limits".
  /** Comment length limit in Unicode code points. */
  COMMENT_MAX_CHARS: z.coerce.number().int().min(1).max(2000).default(200),
  /** Per-user comment rate: COMMENT_RATE_COUNT comments per COMMENT_RATE_WINDOW_MS (burst, then evenly). */
  COMMENT_RATE_COUNT: z.coerce.number().int().min(1).max(1000).default(5),
  COMMENT_RATE_WINDOW_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  /** Comments kept for the join snapshot (visible ones, newest). */
  COMMENT_RECENT: z.coerce.number().int().min(0).max(500).default(50),
  /** Viewer comments published per room per second before sampling (0: no cap); staff never sampled. */
  COMMENT_ROOM_MAX_PER_SEC: z.coerce.number().int().min(0).max(100_000).default(200),
  /** Keyword terms per live, over all its lists. */
  KEYWORD_MAX_TERMS: z.coerce.number().int().min(1).max(200_000).default(20_000),
  /** Like taps accepted per message and per user per second (per node). */
  LIKE_MAX_PER_MESSAGE: z.coerce.number().int().min(1).max(10_000).default(100),
  LIKE_MAX_PER_USER_PER_SEC: z.coerce.number().int().min(1).max(10_000).default(30),
  /** Like messages per user per second before RATE_LIMITED (clients batch: about one per second). */
  LIKE_MESSAGES_PER_SEC: z.coerce.number().int().min(1).max(100).default(3),
  /** How often a node flushes its summed likes per room to Redis (one INCRBY per room per flush). */
  LIKE_FLUSH_MS: z.coerce.number().int().min(20).max(60_000).default(100),
  /** How often nodes broadcast like totals, follower counts and poll tallies (when changed). */
  COUNTERS_BROADCAST_MS: z.coerce.number().int().min(50).max(60_000).default(500),
  /** Question length limit (code points) and per-user rate (QUESTION_RATE_COUNT per window). */
  QUESTION_MAX_CHARS: z.coerce.number().int().min(1).max(2000).default(300),
  QUESTION_RATE_COUNT: z.coerce.number().int().min(1).max(1000).default(3),
  QUESTION_RATE_WINDOW_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  // Commerce (flash sales, payments, settlement); see README "Commerce".
  /** Fair-admission window after a sale opens: attempts inside it are admitted in random order (0: off). */
  SALE_FAIR_WINDOW_MS: z.coerce.number().int().min(0).max(10_000).default(200),
  /** How long a reservation holds its units before payment must start. */
  RESERVATION_TTL_SEC: z.coerce.number().int().min(5).max(86_400).default(300),
  /** How long a started payment may take before the hold is released (a later success is refunded). */
  PAYMENT_TIMEOUT_SEC: z.coerce.number().int().min(5).max(86_400).default(120),
  /** At most one `sale:stock` room event per sale per interval. */
  SALE_STOCK_BROADCAST_MS: z.coerce.number().int().min(20).max(60_000).default(250),
  /** How often the worker releases expired holds. */
  RESERVATION_SWEEP_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** HMAC secret of provider webhooks; default derived from TOKEN_SECRET. */
  PAYMENT_WEBHOOK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Accepted age of a signed webhook's timestamp, seconds. */
  PAYMENT_WEBHOOK_TOLERANCE_SEC: z.coerce.number().int().min(1).max(3600).default(300),
  /** Where the simulated provider posts its webhooks; default this node's own address. */
  PAYMENT_CALLBACK_URL: url.optional(),
  /** Simulated provider: delay before it reports a payment's outcome. */
  PAYMENT_SIM_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(50),
  /** Merchant endpoint that receives signed settlement webhooks (unset: kept in the outbox, not sent). */
  MERCHANT_WEBHOOK_URL: url.optional(),
  /** HMAC secret of merchant webhooks; default derived from TOKEN_SECRET. */
  MERCHANT_WEBHOOK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  MERCHANT_WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(12),
  /** First retry delay of a merchant webhook (doubles per attempt). */
  MERCHANT_WEBHOOK_BACKOFF_MS: z.coerce.number().int().min(10).max(600_000).default(1000),
  /**
   * After a settled live reconciles, its Redis commerce keys expire after this many seconds (0: deleted at
   * once). The grace lets a late provider webhook still find its reservation and be refunded.
   */
  COMMERCE_KEYS_RETAIN_SEC: z.coerce
    .number()
    .int()
    .min(0)
    .max(30 * 86_400)
    .default(86_400),
  /**
   * After a live ended and the end-of-live steps that read them ran, its Redis room and interaction keys (room
   * log, presence, comments, likes, Q&A, polls, shares) expire after this many seconds (0: deleted at once).
   * The grace keeps late reconnects served from the room log.
   */
  ROOM_KEYS_RETAIN_SEC: z.coerce
    .number()
    .int()
    .min(0)
    .max(30 * 86_400)
    .default(86_400),
  /** How long a lottery winner (or a runner-up a prize passed to) has to claim it; fractions allowed. */
  LOTTERY_CLAIM_HOURS: z.coerce.number().positive().max(2160).default(48),
  /** How often each API node's auction clock looks for ended auctions and lapsed wins (the hammer's delay). */
  AUCTION_TICK_MS: z.coerce.number().int().min(10).max(5000).default(100),
  /** How often the worker's group-buy clock looks for groups past their time limit (and their refunds). */
  GROUPBUY_TICK_MS: z.coerce.number().int().min(10).max(5000).default(250),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Allow a Redis without AOF persistence (data loss on restart). Not for production. */
  REDIS_ALLOW_NO_PERSISTENCE: bool.default(false),
  TRUST_PROXY: bool.default(false),
  /** Serve the built web client from client/dist. */
  SERVE_CLIENT: bool.default(true),
  NODE_ID: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,64}$/)
    .optional(),
  /** Start the mediasoup worker pool (media signaling answers UNAVAILABLE when off). Keep on in the product. */
  MEDIA_ENABLED: bool.default(true),
  /** mediasoup worker processes; default one per CPU core. */
  MEDIA_WORKERS: z.coerce
    .number()
    .int()
    .min(1)
    .max(256)
    .default(() => Math.max(1, os.availableParallelism())),
  /** Local IP WebRTC transports bind to (0.0.0.0: all interfaces; then set MEDIA_ANNOUNCED_IP). */
  MEDIA_LISTEN_IP: z.union([z.ipv4(), z.ipv6()]).default('127.0.0.1'),
  /** IP or host name put in ICE candidates: the address browsers reach this node at (NAT, containers). */
  MEDIA_ANNOUNCED_IP: z
    .string()
    .regex(/^[a-zA-Z0-9.:-]{1,253}$/, 'must be an IP address or a host name')
    .optional(),
  /** UDP+TCP port range of WebRTC transports (open it in firewalls and containers). */
  MEDIA_RTC_MIN_PORT: z.coerce.number().int().min(1024).max(65535).default(40000),
  MEDIA_RTC_MAX_PORT: z.coerce.number().int().min(1024).max(65535).default(49999),
  /** Consumers one router takes before new viewers go to a router piped onto another worker. */
  MEDIA_CONSUMERS_PER_ROUTER: z.coerce.number().int().min(1).max(100_000).default(400),
  // Growth: crisis alert (negative or held/blocked comments over a rolling window).
  CRISIS_WINDOW_SEC: z.coerce.number().int().min(10).max(3600).default(60),
  CRISIS_RATIO: z.coerce.number().min(0).max(1).default(0.2),
  CRISIS_MIN_NEGATIVE: z.coerce.number().int().min(1).max(1_000_000).default(10),
  /** Negative lexicon (comma-separated); matched like keyword lists (substrings, no spaces needed). */
  CRISIS_TERMS: csv
    .pipe(z.array(z.string().max(50)).min(1).max(5000))
    .default([
      ...'垃圾,骗子,骗人,假货,退货,退款,差评,太差,坑人,难用,投诉'.split(','),
      ...'scam,fake,refund,terrible,worst,rip-off'.split(','),
    ]),
  // Growth: lifecycle segments (scheduled recompute of every merchant's segments; 0 = only after lives and on demand).
  SEGMENTS_RECOMPUTE_EVERY_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 86_400_000)
    .default(6 * 3_600_000),
  // Replay (issue #17): recording lives to HLS under DATA_DIR/recordings.
  /** Record every live's host tracks with ffmpeg (needs media on this node). */
  RECORDING_ENABLED: bool.default(true),
  /** The ffmpeg executable. */
  RECORDING_FFMPEG: z.string().min(1).default('ffmpeg'),
  /** Loopback UDP ports ffmpeg receives the recorded RTP on (two per track). */
  RECORDING_RTP_MIN_PORT: z.coerce.number().int().min(1024).max(65535).default(50000),
  RECORDING_RTP_MAX_PORT: z.coerce.number().int().min(1024).max(65535).default(50999),
  /** Quota of DATA_DIR/recordings, all lives together; a live reaching it stops recording (never the live). */
  RECORDING_MAX_MB: z.coerce.number().int().min(1).default(20_480),
  /** Recording stops (with an alert) when the disk holding DATA_DIR has less free space than this. */
  RECORDING_MIN_FREE_MB: z.coerce.number().int().min(0).default(512),
  /** Recordings older than this are deleted (0: kept until deleted by their host). */
  RECORDING_RETAIN_DAYS: z.coerce.number().min(0).default(30),
});

type Parsed = z.infer<typeof ConfigSchema>;
export type Config = Omit<Parsed, 'TOKEN_SECRET' | 'ALLOWED_ORIGINS' | 'PUBLIC_URL' | 'NODE_ID'> & {
  TOKEN_SECRET: string;
  ALLOWED_ORIGINS: string[];
  PUBLIC_URL: string;
  NODE_ID: string;
  DATA_DIR: string;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parse an env-like record; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(ConfigSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') picked[key] = v;
  }
  const res = ConfigSchema.safeParse(picked);
  if (!res.success) {
    const lines = res.error.issues.map((i) => {
      const key = String(i.path[0] ?? '?');
      return `  ${key}=${JSON.stringify(picked[key] ?? '')}: ${i.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = res.data;
  if (c.MEDIA_RTC_MIN_PORT > c.MEDIA_RTC_MAX_PORT) {
    throw new ConfigError(
      `Invalid configuration:\n  MEDIA_RTC_MAX_PORT="${c.MEDIA_RTC_MAX_PORT}": must be >= MEDIA_RTC_MIN_PORT (${c.MEDIA_RTC_MIN_PORT})`,
    );
  }
  // The merchant endpoint gets the same URL rules as URLs users give (https only in production).
  const webhookProblem =
    c.MERCHANT_WEBHOOK_URL &&
    userUrlProblem(c.MERCHANT_WEBHOOK_URL, { allowHttp: c.NODE_ENV !== 'production' });
  if (webhookProblem) {
    throw new ConfigError(
      `Invalid configuration:\n  MERCHANT_WEBHOOK_URL=${JSON.stringify(c.MERCHANT_WEBHOOK_URL)}: ${webhookProblem}`,
    );
  }
  if (c.RECORDING_RTP_MIN_PORT + 1 > c.RECORDING_RTP_MAX_PORT) {
    throw new ConfigError(
      `Invalid configuration:\n  RECORDING_RTP_MAX_PORT="${c.RECORDING_RTP_MAX_PORT}": must be > RECORDING_RTP_MIN_PORT (${c.RECORDING_RTP_MIN_PORT})`,
    );
  }
  if (c.NODE_DEAD_AFTER_MS <= c.NODE_HEARTBEAT_MS) {
    throw new ConfigError(
      `Invalid configuration:\n  NODE_DEAD_AFTER_MS="${c.NODE_DEAD_AFTER_MS}": must be > NODE_HEARTBEAT_MS (${c.NODE_HEARTBEAT_MS})`,
    );
  }
  const dataDir = resolve(c.DATA_DIR);
  const publicUrl = (
    c.PUBLIC_URL ?? `http://${c.HOST === '0.0.0.0' ? 'localhost' : c.HOST}:${c.PORT}`
  ).replace(/\/$/, '');
  if (c.NODE_ENV === 'production' && !c.TOKEN_SECRET) {
    throw new ConfigError(
      'Invalid configuration:\n  TOKEN_SECRET="": required in production (32+ characters)',
    );
  }
  return {
    ...c,
    DATA_DIR: dataDir,
    PUBLIC_URL: publicUrl,
    TOKEN_SECRET: c.TOKEN_SECRET ?? devSecret(dataDir),
    ALLOWED_ORIGINS: c.ALLOWED_ORIGINS ?? [new URL(publicUrl).origin],
    NODE_ID: c.NODE_ID ?? `node-${process.pid}-${randomBytes(3).toString('hex')}`,
  };
}

/** NOTE: a generated secret is persisted so tokens survive restarts and the worker shares it. */
function devSecret(dataDir: string): string {
  const file = join(dataDir, 'token-secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const secret = randomBytes(32).toString('hex');
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return readFileSync(file, 'utf8').trim();
  }
}
