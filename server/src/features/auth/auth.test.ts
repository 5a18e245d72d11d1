import type { AuthResponse, TokenClaims } from '@lc/contracts/auth.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startServer, type TestServer } from '../../../../test/server';
import { createTokens } from './tokens';

type Err = { error: { code: string; message: string } };

describe('accounts and tokens', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ env: { AUTH_RATE_LIMIT_PER_MIN: '8' } });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('registers a host, logs in case-insensitively, and the token says who and what role', async () => {
    const reg = await http<AuthResponse>(s, 'POST', '/api/auth/register', {
      username: 'Shop_Owner',
      password: 'a long password',
      displayName: '店主 🛍️',
    });
    expect(reg.status).toBe(201);
    expect(reg.body.user).toMatchObject({ displayName: '店主 🛍️', role: 'host' });
    const login = await http<AuthResponse>(s, 'POST', '/api/auth/login', {
      username: 'shop_owner',
      password: 'a long password',
    });
    expect(login.status).toBe(200);
    expect(login.body.user.id).toBe(reg.body.user.id);
    const me = await http<{ user: TokenClaims }>(s, 'GET', '/api/me', undefined, login.body.token);
    expect(me.body.user).toMatchObject({ sub: reg.body.user.id, role: 'host', name: '店主 🛍️' });
    const stored = await s.built.deps.db.query<{ password_hash: string }>(
      'SELECT password_hash FROM users WHERE id = $1',
      [reg.body.user.id],
    );
    expect(stored.rows[0]!.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('refuses a taken username, and answers wrong password and unknown user alike', async () => {
    const body = { username: 'dup_user', password: 'a long password', displayName: 'Dup' };
    expect((await http(s, 'POST', '/api/auth/register', body)).status).toBe(201);
    const again = await http<Err>(s, 'POST', '/api/auth/register', { ...body, username: 'DUP_user' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('USERNAME_TAKEN');
    const wrong = await http<Err>(s, 'POST', '/api/auth/login', {
      username: 'dup_user',
      password: 'not it at all',
    });
    const unknown = await http<Err>(s, 'POST', '/api/auth/login', {
      username: 'nobody_here',
      password: 'not it at all',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
  });

  it('gives guests viewer tokens with fresh ids and validates names in code points', async () => {
    const a = await http<AuthResponse>(s, 'POST', '/api/auth/guest', { displayName: '  观众  ' });
    expect(a.body.user).toMatchObject({ role: 'viewer', displayName: '观众' });
    const long = await http<Err>(s, 'POST', '/api/auth/guest', { displayName: '😀'.repeat(33) });
    expect(long.status).toBe(400);
    expect(long.body.error.code).toBe('VALIDATION');
    const ok = await http<AuthResponse>(s, 'POST', '/api/auth/guest', { displayName: '😀'.repeat(32) });
    expect(ok.status).toBe(200);
  });

  it('refuses expired and tampered tokens with UNAUTHENTICATED', async () => {
    const tokens = createTokens({
      secret: s.env.TOKEN_SECRET!,
      ttlSeconds: 60,
      now: () => Date.now() - 3_600_000,
    });
    const { token } = await tokens.sign({ sub: 'u_x' as TokenClaims['sub'], name: 'x', role: 'host' });
    const expired = await http<Err>(s, 'GET', '/api/me', undefined, token);
    expect(expired.status).toBe(401);
    expect(expired.body.error).toMatchObject({ code: 'UNAUTHENTICATED', message: 'token expired' });
    const fresh = await http<AuthResponse>(s, 'POST', '/api/auth/guest', { displayName: 'eve' });
    const [h, p, sig] = fresh.body.token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), role: 'host' }),
    ).toString('base64url');
    const tampered = await http<Err>(s, 'GET', '/api/me', undefined, `${h}.${forged}.${sig}`);
    expect(tampered.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('rate-limits auth attempts per client with RATE_LIMITED and a retry-after', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 12; i++) {
      last = await fetch(`${s.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'dup_user', password: 'guessing' }),
      });
      statuses.push(last.status);
    }
    expect(statuses).toContain(401);
    expect(statuses.at(-1)).toBe(429);
    expect(last!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await last!.json()) as Err).error.code).toBe('RATE_LIMITED');
  });
});
