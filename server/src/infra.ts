/**
 * Infrastructure shared by the API node and the worker: Redis (checked at boot), the ledger (migrated),
 * keys and Lua scripts. Built in this order, closed in reverse.
 */
import type { ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from './config';
import { type Db, openDb } from './ledger/db';
import { runMigrations } from './ledger/migrate';
import { closeRedis, createRedis } from './redis/client';
import { createKeys, type Keys } from './redis/keys';
import { checkRedisSettings } from './redis/redis-checks';
import { loadScripts, type Scripts } from './redis/scripts';

type Log = {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
};

export interface Infra {
  redis: Redis;
  db: Db;
  keys: Keys;
  scripts: Scripts;
  /** Connection options for BullMQ (it opens its own connections; workers need maxRetriesPerRequest null). */
  bull: { connection: ConnectionOptions; prefix: string };
  close(): Promise<void>;
}

export async function openInfra(config: Config, log: Log, role: 'api' | 'worker'): Promise<Infra> {
  if (!config.REDIS_URL)
    throw new Error('REDIS_URL is not set (the start command launches a local Redis when it is unset)');
  const redis = createRedis(config.REDIS_URL, `lc-${role}-${config.NODE_ID}`);
  try {
    const settings = await checkRedisSettings(redis, {
      allowNoPersistence: config.REDIS_ALLOW_NO_PERSISTENCE,
    });
    if (!settings.appendonly)
      log.warn(settings, 'Redis persistence (AOF) is off: hot state is lost on a Redis restart');
    else log.info(settings, 'Redis settings checked');
  } catch (err) {
    await closeRedis(redis);
    throw err;
  }
  const db = await openDb({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    queryTimeoutMs: config.DATABASE_QUERY_TIMEOUT_MS,
    onError: (err) => log.error({ err: err.message }, 'ledger connection error'),
  });
  try {
    const { applied } = await runMigrations(db);
    log.info({ ledger: db.kind, applied }, 'ledger ready');
  } catch (err) {
    await db.close();
    await closeRedis(redis);
    throw err;
  }
  const keys = createKeys(config.REDIS_PREFIX);
  const u = new URL(config.REDIS_URL);
  const connection: ConnectionOptions = {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
  return {
    redis,
    db,
    keys,
    scripts: loadScripts(redis),
    bull: { connection, prefix: keys.bullPrefix },
    async close() {
      await db.close();
      await closeRedis(redis);
    },
  };
}
