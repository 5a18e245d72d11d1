/**
 * Authorization before validation on every HTTP route that needs a role: an anonymous caller gets 401 and a
 * caller without the role 403 — never 400 — whatever the body (none, empty, malformed JSON, wrong types, big).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guest, hostWithLive, http, startServer, type TestServer } from '../server';

const BODIES: Array<{ name: string; body?: string }> = [
  { name: 'no body' },
  { name: 'empty object', body: '{}' },
  { name: 'malformed JSON', body: '{"title": ' },
  { name: 'wrong types', body: JSON.stringify({ title: 42, terms: 'x', productId: [], quantity: 'lots' }) },
  { name: 'hostile text', body: JSON.stringify({ title: 'evil\u202Etxt', text: '<script>x</script>' }) },
  { name: '200 kB', body: JSON.stringify({ title: 'x'.repeat(200_000) }) },
];

describe('access before validation on HTTP routes', () => {
  let s: TestServer;
  let liveId: string;
  let viewer: string;
  let otherHost: string;
  beforeAll(async () => {
    s = await startServer();
    ({ liveId } = await hostWithLive(s));
    viewer = (await guest(s, 'curious')).token;
    otherHost = (await hostWithLive(s)).host.token;
  });
  afterAll(() => s?.close());

  const send = async (method: string, url: string, body: string | undefined, token?: string) => {
    const path = url.replace(':liveId', liveId).replace(/:[A-Za-z]+/g, () => randomUUID());
    const res = await fetch(`${s.url}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body,
    });
    const text = await res.text();
    return { status: res.status, code: (text ? JSON.parse(text) : {}).error?.code as string | undefined };
  };
  const routes = () => s.built.accessRoutes.filter((r) => r.method !== 'HEAD');

  it('declares access on every role-gated route', () => {
    const gated = routes().filter((r) => r.access !== 'user');
    expect(gated.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining([
        'POST /api/lives',
        'POST /api/lives/:liveId/end',
        'POST /api/lives/:liveId/products',
        'PATCH /api/lives/:liveId/products/:productId',
        'POST /api/lives/:liveId/sales',
        'POST /api/lives/:liveId/coupons',
        'PUT /api/lives/:liveId/keywords/:name',
        'POST /api/lives/:liveId/moderators',
        'GET /api/lives/:liveId/report',
      ]),
    );
    expect(gated.length).toBeGreaterThanOrEqual(20);
  });

  it('answers 401 to an anonymous caller on every route that needs a token, whatever the body', async () => {
    for (const r of routes()) {
      for (const b of BODIES) {
        const res = await send(r.method, r.url, r.method === 'GET' ? undefined : b.body);
        expect(res, `${r.method} ${r.url} ${b.name}`).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
      }
    }
  });

  it('answers 403 to a viewer, and to a host on a live not theirs, on every host and staff route, whatever the body', async () => {
    for (const r of routes().filter((x) => x.access !== 'user')) {
      const callers = r.access === 'host-account' ? [viewer] : [viewer, otherHost];
      for (const token of callers) {
        for (const b of BODIES) {
          const res = await send(r.method, r.url, r.method === 'GET' ? undefined : b.body, token);
          const who = token === viewer ? 'viewer' : 'other host';
          expect(res, `${who} ${r.method} ${r.url} ${b.name}`).toEqual({ status: 403, code: 'FORBIDDEN' });
        }
      }
    }
  });

  it('lets an appointed moderator through staff routes, then validates the body', async () => {
    const { liveId: id, host } = await hostWithLive(s);
    const mod = await guest(s, 'helper');
    const appointed = await http(
      s,
      'POST',
      `/api/lives/${id}/moderators`,
      { userId: mod.user.id },
      host.token,
    );
    expect(appointed.status).toBe(200);
    expect((await http(s, 'GET', `/api/lives/${id}/keywords`, undefined, mod.token)).status).toBe(200);
    expect((await http(s, 'GET', `/api/lives/${id}/products/stats`, undefined, mod.token)).status).toBe(200);
    const bad = await http(s, 'PUT', `/api/lives/${id}/keywords/spam`, { terms: 'x' }, mod.token);
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION' } } });
    // Host-only stays host-only.
    const log = await http(s, 'GET', `/api/lives/${id}/moderation/actions`, undefined, mod.token);
    expect(log.status).toBe(403);
  });

  it('names a live that does not exist, never a 400, for a caller who could hold the role', async () => {
    const host = await hostWithLive(s);
    const missing = await http(
      s,
      'POST',
      `/api/lives/${randomUUID()}/products`,
      { title: 1 },
      host.host.token,
    );
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'LIVE_NOT_FOUND' } } });
    const garbage = await http(s, 'POST', '/api/lives/not-a-uuid/products', {}, host.host.token);
    expect(garbage).toMatchObject({ status: 404, body: { error: { code: 'LIVE_NOT_FOUND' } } });
    // The host of the live gets the body validated.
    const own = await http(s, 'POST', `/api/lives/${host.liveId}/products`, { title: 1 }, host.host.token);
    expect(own).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION' } } });
  });
});
