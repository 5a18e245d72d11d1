/** Redis connections: one for commands, one subscriber pair for the Socket.IO adapter, one for blocking reads. */
import { Redis, type RedisOptions } from 'ioredis';

export function createRedis(url: string, name: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    connectionName: name,
    // NOTE: commands queue while reconnecting; a request fails only after the retry budget.
    maxRetriesPerRequest: 3,
    enableAutoPipelining: true,
    lazyConnect: false,
    ...extra,
  });
}

/**
 * Resolves once the connection passed its ready check. Subscriber connections must wait for it: a SUBSCRIBE
 * written before the ready check's INFO turns that INFO into an error, the connection drops, and the
 * reconnect does not restore subscriptions whose replies never arrived (cross-node emits silently lost).
 */
export function whenReady(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = () => {
      redis.off('end', onEnd);
      resolve();
    };
    const onEnd = () => {
      redis.off('ready', onReady);
      reject(new Error('Redis connection ended before it was ready'));
    };
    redis.once('ready', onReady);
    redis.once('end', onEnd);
  });
}

/** Closes a connection, falling back to disconnect when QUIT can't complete. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await Promise.race([redis.quit(), new Promise((r) => setTimeout(r, 1000))]);
  } catch {
    /* already closing */
  }
  redis.disconnect();
}
