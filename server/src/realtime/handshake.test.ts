import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, guest, startServer, type TestServer } from '../../../test/server';

describe('Socket.IO handshake', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it('refuses a connection without a token, saying why', async () => {
    const err = await connect(s, undefined).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/^UNAUTHENTICATED/);
    expect(err.data).toMatchObject({ code: 'UNAUTHENTICATED', message: 'token required' });
  });

  it('refuses a connection with a bad or foreign-signed token', async () => {
    const err = await connect(s, 'not.a.jwt').catch((e) => e);
    expect(err.data).toMatchObject({ code: 'UNAUTHENTICATED', message: 'token invalid' });

    const other = await startServer(); // different TOKEN_SECRET
    try {
      const foreign = await guest(other, 'mallory');
      const err2 = await connect(s, foreign.token).catch((e) => e);
      expect(err2.data).toMatchObject({ code: 'UNAUTHENTICATED' });
    } finally {
      await other.close();
    }
  });

  it('refuses a browser origin that is not allowed, before any upgrade', async () => {
    const v = await guest(s);
    const err = await connect(s, v.token, { origin: 'http://evil.test' }).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    // The polling handshake answers 403 with the reason in the body.
    const res = await fetch(`${s.url}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin: 'http://evil.test' },
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('ORIGIN_NOT_ALLOWED');
  });

  it('accepts a valid token from an allowed origin and from a non-browser client', async () => {
    const v = await guest(s, '小明');
    const a = await connect(s, v.token, { origin: 'http://allowed.test' });
    const b = await connect(s, v.token);
    expect(a.connected && b.connected).toBe(true);
    a.close();
    b.close();
  });
});
