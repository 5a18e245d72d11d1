import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRedis, startLocalRedis } from './local-redis';
import { checkRedisSettings, isVersionAtLeast, RedisSettingsError } from './redis-checks';

const here = fileURLToPath(new URL('.', import.meta.url));
const dirs: string[] = [];
const servers: LocalRedis[] = [];
const clients: Redis[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'lc-redis-test-'));
  dirs.push(d);
  return d;
}

async function start(opts: Parameters<typeof startLocalRedis>[0]): Promise<LocalRedis> {
  const s = await startLocalRedis(opts);
  servers.push(s);
  return s;
}

function client(url: string): Redis {
  const c = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: false });
  clients.push(c);
  return c;
}

/** Pids of every running (not zombie) redis-server process on this machine. */
function redisServerPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        return stat.includes('(redis-server)') && !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
      } catch {
        return false;
      }
    })
    .map(Number);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
  await Promise.all(servers.map((s) => s.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('checkRedisSettings', () => {
  let redis: Redis;

  beforeAll(async () => {
    redis = client((await start({ dataDir: tempDir() })).url);
  });

  afterEach(async () => {
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
    await redis.config('SET', 'appendonly', 'yes');
  });

  it('accepts noeviction with AOF on and reports the settings', async () => {
    const s = await checkRedisSettings(redis, { allowNoPersistence: false });
    expect(s).toMatchObject({ appendonly: true, appendfsync: 'everysec', maxmemoryPolicy: 'noeviction' });
    expect(isVersionAtLeast(s.version, '6.2.0')).toBe(true);
  });

  it('refuses allkeys-lru and names the policy and the fix', async () => {
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const check = checkRedisSettings(redis, { allowNoPersistence: true });
    await expect(check).rejects.toThrow(RedisSettingsError);
    await expect(check).rejects.toThrow(
      /maxmemory-policy is "allkeys-lru".*CONFIG SET maxmemory-policy noeviction/s,
    );
  });

  it('refuses volatile-ttl', async () => {
    await redis.config('SET', 'maxmemory-policy', 'volatile-ttl');
    await expect(checkRedisSettings(redis, { allowNoPersistence: true })).rejects.toThrow(
      /maxmemory-policy is "volatile-ttl"/,
    );
  });

  it('refuses AOF off unless no-persistence is explicitly allowed', async () => {
    await redis.config('SET', 'appendonly', 'no');
    await expect(checkRedisSettings(redis, { allowNoPersistence: false })).rejects.toThrow(
      /appendonly is "no".*CONFIG SET appendonly yes/s,
    );
    const s = await checkRedisSettings(redis, { allowNoPersistence: true });
    expect(s.appendonly).toBe(false);
  });

  it('falls back to INFO when CONFIG is renamed, as managed Redis does', async () => {
    const ok = client(
      (await start({ dataDir: tempDir(), extraArgs: ['--rename-command', 'CONFIG', ''] })).url,
    );
    await expect(ok.call('CONFIG', 'GET', 'appendonly')).rejects.toThrow(/unknown command/i);
    expect(await checkRedisSettings(ok, { allowNoPersistence: false })).toMatchObject({
      appendonly: true,
      appendfsync: 'unknown',
      maxmemoryPolicy: 'noeviction',
    });

    const evicting = client(
      (
        await start({
          dataDir: tempDir(),
          appendonly: false,
          extraArgs: ['--rename-command', 'CONFIG', '', '--maxmemory-policy', 'volatile-lru'],
        })
      ).url,
    );
    await expect(checkRedisSettings(evicting, { allowNoPersistence: true })).rejects.toThrow(
      /"volatile-lru"/,
    );
  });

  it('compares versions numerically', () => {
    expect(isVersionAtLeast('6.2.0', '6.2.0')).toBe(true);
    expect(isVersionAtLeast('7.0.15', '6.2.0')).toBe(true);
    expect(isVersionAtLeast('6.10.1', '6.2.0')).toBe(true);
    expect(isVersionAtLeast('6.0.16', '6.2.0')).toBe(false);
    expect(isVersionAtLeast('5.0.7', '6.2.0')).toBe(false);
  });
});

describe('startLocalRedis', () => {
  it('keeps data across stop and start in the same data dir (AOF)', async () => {
    const dataDir = tempDir();
    const first = await start({ dataDir });
    const a = client(first.url);
    await a.set('survives', 'yes');
    await a.quit();
    await first.stop();
    await first.stop(); // idempotent
    expect(isAlive(first.pid)).toBe(false);

    const second = await start({ dataDir });
    expect(await client(second.url).get('survives')).toBe('yes');
  });

  it('replaces a server whose launcher dropped it without stopping, so only one runs per data dir', async () => {
    const dataDir = tempDir();
    const orphan = await startLocalRedis({ dataDir }); // handle dropped: never stopped by this test
    const a = client(orphan.url);
    await a.set('k', 'v');
    a.disconnect();

    const next = await start({ dataDir });
    await orphan.exited;
    expect(isAlive(orphan.pid)).toBe(false);
    const pids = redisServerPids();
    expect(pids).toContain(next.pid);
    expect(pids).not.toContain(orphan.pid);
    expect(await client(next.url).get('k')).toBe('v');
  });

  it('replaces a server left running by a launcher process that was SIGKILLed', async () => {
    const dataDir = tempDir();
    const script = join(dataDir, 'launcher.mts');
    const modulePath = resolve(here, 'local-redis.ts');
    writeFileSync(
      script,
      `import { startLocalRedis } from ${JSON.stringify(modulePath)};\n` +
        `const r = await startLocalRedis({ dataDir: ${JSON.stringify(dataDir)} });\n` +
        'console.log(JSON.stringify({ pid: r.pid }));\nsetInterval(() => {}, 1000);\n',
    );
    const launcher = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: resolve(here, '../../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((res, rej) => {
      launcher.stdout.once('data', (b: Buffer) => res(b.toString()));
      launcher.once('exit', (code) => rej(new Error(`launcher exited early (${code})`)));
    });
    const stalePid = (JSON.parse(line) as { pid: number }).pid;
    launcher.kill('SIGKILL');
    await new Promise((res) => launcher.once('exit', res));
    expect(isAlive(stalePid)).toBe(true); // orphaned, as after a real crash

    const next = await start({ dataDir });
    expect(redisServerPids()).not.toContain(stalePid);
    expect(redisServerPids()).toContain(next.pid);
  }, 30_000);

  it('says what to install when redis-server is not on PATH', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startLocalRedis({ dataDir: tempDir() })).rejects.toThrow(
        /apt-get install -y redis-server.*brew install redis.*REDIS_URL/s,
      );
    } finally {
      process.env.PATH = path;
    }
  });
});
