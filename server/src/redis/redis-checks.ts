/**
 * Boot-time checks of the Redis we are given: version (streams and the XADD/XAUTOCLAIM options we use need
 * >= 6.2), no key eviction (stock, reservations, idempotency keys and BullMQ jobs must never silently vanish)
 * and AOF persistence. Reads CONFIG GET, falling back to INFO where CONFIG is renamed or denied (managed Redis).
 */
import type { Redis } from 'ioredis';

export interface RedisSettings {
  appendonly: boolean;
  /** `always` | `everysec` | `no`, or `unknown` when only INFO could be read. */
  appendfsync: string;
  maxmemoryPolicy: string;
  version: string;
}

export class RedisSettingsError extends Error {
  override name = 'RedisSettingsError';
}

export const MIN_REDIS_VERSION = '6.2.0';

/**
 * Reads the settings that matter and refuses a Redis that would lose data behind our back.
 * Throws RedisSettingsError for: version < 6.2, `maxmemory-policy` other than `noeviction`, and AOF off unless
 * `allowNoPersistence` (then the caller should log a warning; `appendonly: false` is returned).
 */
export async function checkRedisSettings(
  redis: Redis,
  opts: { allowNoPersistence: boolean },
): Promise<RedisSettings> {
  const settings = await readRedisSettings(redis);

  if (!isVersionAtLeast(settings.version, MIN_REDIS_VERSION)) {
    throw new RedisSettingsError(
      `Redis ${settings.version} is too old: this server needs Redis >= ${MIN_REDIS_VERSION} ` +
        '(the room log, reservations and BullMQ use stream and string commands added in 6.2, ' +
        'such as XADD trimming with MINID/LIMIT, XAUTOCLAIM and GETDEL). ' +
        'Upgrade Redis (Debian 12 / Ubuntu 22.04 ship 7.x: apt-get install redis-server; or run redis:7).',
    );
  }

  if (settings.maxmemoryPolicy !== 'noeviction') {
    throw new RedisSettingsError(
      `Redis maxmemory-policy is "${settings.maxmemoryPolicy}": under memory pressure Redis would evict keys ` +
        '(stock counters, reservations, idempotency keys, queued jobs) and break the sale invariants. ' +
        'Fix: `CONFIG SET maxmemory-policy noeviction` and persist it (`maxmemory-policy noeviction` in ' +
        'redis.conf, `--maxmemory-policy noeviction` on the command line, or the parameter group of a managed Redis).',
    );
  }

  if (!settings.appendonly && !opts.allowNoPersistence) {
    throw new RedisSettingsError(
      'Redis appendonly is "no": a Redis restart would lose orders in flight, reservations and queued ' +
        'settlement jobs. Fix: `CONFIG SET appendonly yes` (plus `appendfsync everysec`) and persist it ' +
        '(`appendonly yes` in redis.conf or `--appendonly yes`). For throwaway dev/test setups only, set ' +
        'REDIS_ALLOW_NO_PERSISTENCE=true to start anyway.',
    );
  }

  return settings;
}

/** Reads the settings without judging them. */
export async function readRedisSettings(redis: Redis): Promise<RedisSettings> {
  const version = infoField(await redis.info('server'), 'redis_version') ?? '0.0.0';
  try {
    const [appendonly, appendfsync, maxmemoryPolicy] = await Promise.all([
      configGet(redis, 'appendonly'),
      configGet(redis, 'appendfsync'),
      configGet(redis, 'maxmemory-policy'),
    ]);
    return { appendonly: appendonly === 'yes', appendfsync, maxmemoryPolicy, version };
  } catch {
    // CONFIG renamed (rename-command), disabled or denied by ACL: INFO carries what we need except appendfsync.
    const persistence = await redis.info('persistence');
    const memory = await redis.info('memory');
    const aof = infoField(persistence, 'aof_enabled');
    const policy = infoField(memory, 'maxmemory_policy');
    if (aof === undefined || policy === undefined) {
      throw new RedisSettingsError(
        'Cannot read Redis settings: CONFIG GET is not available and INFO persistence/memory lacks ' +
          'aof_enabled or maxmemory_policy. Allow CONFIG GET for this user, or use Redis >= 6.2.',
      );
    }
    return { appendonly: aof === '1', appendfsync: 'unknown', maxmemoryPolicy: policy, version };
  }
}

async function configGet(redis: Redis, name: string): Promise<string> {
  // CONFIG GET replies [name, value] pairs; one name per call keeps Redis 6.2 (single-pattern) compatible.
  const reply = (await redis.call('CONFIG', 'GET', name)) as string[];
  const value = reply[1];
  if (value === undefined) throw new Error(`CONFIG GET ${name} returned nothing`);
  return value;
}

function infoField(info: string, field: string): string | undefined {
  const m = new RegExp(`^${field}:(.*)$`, 'm').exec(info);
  return m?.[1]?.trim();
}

/** Numeric comparison of dotted versions (`7.0.15` >= `6.2.0`); non-numeric parts count as 0. */
export function isVersionAtLeast(version: string, min: string): boolean {
  const a = version.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const b = min.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}
