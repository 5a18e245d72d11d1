import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

const dataDir = () => mkdtempSync(join(tmpdir(), 'lc-config-'));

describe('config', () => {
  it('fills defaults and derives the public URL and allowed origin', () => {
    const c = loadConfig({ DATA_DIR: dataDir(), PORT: '4000' });
    expect(c.PORT).toBe(4000);
    expect(c.PUBLIC_URL).toBe('http://127.0.0.1:4000');
    expect(c.ALLOWED_ORIGINS).toEqual(['http://127.0.0.1:4000']);
    expect(c.REDIS_URL).toBeUndefined();
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it('names every bad variable and its value in one error', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'eighty', REDIS_URL: 'localhost:6379', TOKEN_SECRET: 'short', DATA_DIR: dataDir() });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain('PORT="eighty"');
    expect(msg).toContain('REDIS_URL="localhost:6379": must start with redis://');
    expect(msg).toContain('TOKEN_SECRET="short": must be at least 32 characters');
  });

  it('holds MERCHANT_WEBHOOK_URL to the user URL rules (https only in production) and reads the socket message limit', () => {
    const secret = 'x'.repeat(32);
    const prod = { NODE_ENV: 'production', TOKEN_SECRET: secret, DATA_DIR: dataDir() };
    expect(() => loadConfig({ ...prod, MERCHANT_WEBHOOK_URL: 'http://merchant.example/hooks' })).toThrow(
      /MERCHANT_WEBHOOK_URL="http:\/\/merchant.example\/hooks": not a https: URL/,
    );
    expect(() => loadConfig({ ...prod, MERCHANT_WEBHOOK_URL: 'https://u:p@merchant.example/' })).toThrow(
      /carries credentials/,
    );
    expect(
      loadConfig({ ...prod, MERCHANT_WEBHOOK_URL: 'https://merchant.example/h' }).MERCHANT_WEBHOOK_URL,
    ).toBe('https://merchant.example/h');
    const dev = loadConfig({ DATA_DIR: dataDir(), MERCHANT_WEBHOOK_URL: 'http://127.0.0.1:9/h' });
    expect(dev.MERCHANT_WEBHOOK_URL).toBe('http://127.0.0.1:9/h');
    expect(dev.SOCKET_MAX_MESSAGE_BYTES).toBe(65536);
    expect(() => loadConfig({ DATA_DIR: dataDir(), SOCKET_MAX_MESSAGE_BYTES: '10' })).toThrow(
      /SOCKET_MAX_MESSAGE_BYTES="10"/,
    );
  });

  it('requires TOKEN_SECRET in production and persists a generated one elsewhere', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir() })).toThrow(/TOKEN_SECRET/);
    const dir = dataDir();
    const a = loadConfig({ DATA_DIR: dir });
    const b = loadConfig({ DATA_DIR: dir });
    expect(a.TOKEN_SECRET).toHaveLength(64);
    expect(b.TOKEN_SECRET).toBe(a.TOKEN_SECRET);
    expect(readFileSync(join(dir, 'token-secret'), 'utf8').trim()).toBe(a.TOKEN_SECRET);
  });

  it('parses comma-separated origins and boolean flags', () => {
    const c = loadConfig({
      DATA_DIR: dataDir(),
      ALLOWED_ORIGINS: 'https://a.example, https://b.example',
      TRUST_PROXY: 'yes',
    });
    expect(c.ALLOWED_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(c.TRUST_PROXY).toBe(true);
    expect(() => loadConfig({ DATA_DIR: dataDir(), TRUST_PROXY: 'maybe' })).toThrow(/TRUST_PROXY="maybe"/);
  });
});
