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
