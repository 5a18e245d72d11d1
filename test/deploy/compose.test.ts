/**
 * docker-compose.yml as Compose itself reads it (`docker compose config`, or Debian's `docker-compose`): two API
 * nodes behind the nginx proxy with sticky sessions, one worker, Redis with AOF and PostgreSQL. No Docker engine
 * is needed (nothing runs); CI installs a compose client through scripts/bootstrap.sh --test.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = path.resolve(import.meta.dirname, '../..');

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: Array<string | { target: number; published: string | number; protocol?: string }>;
  volumes?: Array<string | { source: string; target: string }>;
  depends_on?: Record<string, { condition: string }> | string[];
}

/** The compose client this machine has: the docker plugin, else Debian's docker-compose. */
function composeCommand(): string[] {
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0)
    return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return ['docker-compose'];
  throw new Error('no compose client: run bash scripts/bootstrap.sh --test (installs docker-compose)');
}

function resolvedCompose(): { services: Record<string, Service> } {
  const [cmd, ...args] = composeCommand();
  const out = execFileSync(cmd as string, [...args, 'config'], {
    cwd: root,
    env: { ...process.env, TOKEN_SECRET: 'compose-test-placeholder-secret-0123456789' },
    encoding: 'utf8',
  });
  return parse(out);
}

/** Published host ports by protocol, from the short syntax ("40000-40499:40000-40499/udp") or the long one (one
 * entry per port, as docker-compose 1.x prints it, or a "from-to" string). */
function publishedPorts(svc: Service): Record<string, Set<number>> {
  const out: Record<string, Set<number>> = { tcp: new Set(), udp: new Set() };
  const add = (range: string, protocol: string) => {
    const [from, to = from] = range.split('-').map(Number);
    for (let p = from as number; p <= (to as number); p++) out[protocol]?.add(p);
  };
  for (const p of svc.ports ?? []) {
    if (typeof p === 'string') {
      const [spec, protocol = 'tcp'] = p.split('/');
      add((spec as string).split(':')[0] as string, protocol);
    } else add(String(p.published), p.protocol ?? 'tcp');
  }
  return out;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('docker-compose.yml', () => {
  const { services } = resolvedCompose();
  const apis = Object.entries(services).filter(([, s]) => s.command?.includes('server/src/main.ts'));

  it('runs two API nodes, one worker, Redis with AOF everysec and noeviction, and PostgreSQL', () => {
    expect(apis.map(([name]) => name).sort()).toEqual(['api-a', 'api-b']);
    const workers = Object.values(services).filter((s) => s.command?.includes('server/src/worker.ts'));
    expect(workers).toHaveLength(1);
    const redis = services.redis?.command?.join(' ') ?? '';
    expect(redis).toMatch(/--appendonly yes/);
    expect(redis).toMatch(/--appendfsync everysec/);
    expect(redis).toMatch(/--maxmemory-policy noeviction/);
    expect(services.postgres?.image).toMatch(/^postgres:/);
    // Separate workers need the shared PostgreSQL ledger (PGlite is single-process) and the shared Redis.
    for (const svc of [...apis.map(([, s]) => s), ...workers]) {
      expect(svc.environment?.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
      expect(svc.environment?.REDIS_URL).toBe('redis://redis:6379');
    }
  });

  it('gives each API node its own NODE_ID and its own published RTC port range, announced to browsers', () => {
    const ids = apis.map(([, s]) => s.environment?.NODE_ID);
    expect(new Set(ids).size).toBe(2);
    const ranges = apis.map(([, s]) => {
      const env = s.environment ?? {};
      const min = Number(env.MEDIA_RTC_MIN_PORT);
      const max = Number(env.MEDIA_RTC_MAX_PORT);
      expect(env.MEDIA_LISTEN_IP).toBe('0.0.0.0');
      expect(env.MEDIA_ANNOUNCED_IP).toBeTruthy();
      // The range the node binds is exactly the one it publishes, for UDP and TCP.
      const published = publishedPorts(s);
      expect(max - min).toBeGreaterThan(100);
      expect([...(published.udp as Set<number>)].sort((x, y) => x - y)).toEqual(range(min, max));
      expect([...(published.tcp as Set<number>)].sort((x, y) => x - y)).toEqual(range(min, max));
      expect(s.environment?.TRUST_PROXY).toBe('true');
      return [min, max] as const;
    });
    const [[a0, a1], [b0, b1]] = ranges as [readonly [number, number], readonly [number, number]];
    expect(a1 < b0 || b1 < a0).toBe(true);
    // No API node publishes its HTTP port: browsers go through the proxy.
    for (const [, s] of apis) expect(publishedPorts(s).tcp?.has(3000)).toBe(false);
  });

  it('puts an official nginx in front of both nodes with sticky sessions and websocket upgrades', () => {
    const proxy = services.proxy as Service;
    expect(proxy.image).toMatch(/^nginx:/);
    expect([...(publishedPorts(proxy).tcp as Set<number>)]).toEqual([3000]);
    const mounted = (proxy.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`));
    expect(mounted.some((v) => v.includes('deploy/nginx.conf') && v.includes('/etc/nginx/conf.d/'))).toBe(
      true,
    );
    const conf = readFileSync(path.join(root, 'deploy/nginx.conf'), 'utf8');
    const upstream = /upstream\s+(\w+)\s*\{([^}]*)\}/.exec(conf);
    expect(upstream).not.toBeNull();
    const [, name, body] = upstream as RegExpExecArray;
    expect(body).toMatch(/^\s*ip_hash;/m);
    const servers = [...(body as string).matchAll(/^\s*server\s+([\w-]+):(\d+)/gm)].map(
      (m) => `${m[1]}:${m[2]}`,
    );
    expect(servers.sort()).toEqual(apis.map(([n, s]) => `${n}:${s.environment?.PORT}`).sort());
    expect(conf).toContain(`proxy_pass http://${name};`);
    expect(conf).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(conf).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    expect(conf).toMatch(/proxy_http_version 1\.1;/);
  });
});
