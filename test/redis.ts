/**
 * Redis for the test suite (used by the vitest globalSetup): `TEST_REDIS_URL` when set, otherwise a private
 * redis-server (AOF on, noeviction) in a fresh temp dir that `stop()` shuts down and deletes.
 * Tests isolate themselves with random key prefixes, so one server serves the whole run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRedis } from '../server/src/redis/local-redis';

export interface TestRedis {
  url: string;
  stop(): Promise<void>;
}

export async function startTestRedis(): Promise<TestRedis> {
  const external = process.env.TEST_REDIS_URL;
  if (external) return { url: external, stop: async () => {} };

  const dataDir = mkdtempSync(join(tmpdir(), 'lc-test-redis-'));
  try {
    const redis = await startLocalRedis({ dataDir, logLevel: 'warning' });
    let stopping: Promise<void> | undefined;
    return {
      url: redis.url,
      stop: () => {
        stopping ??= redis.stop().finally(() => rmSync(dataDir, { recursive: true, force: true }));
        return stopping;
      },
    };
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}
