/**
 * The lean reserve path against its Fastify route on one real node (Redis, PGlite): every input answered the
 * same (status, body, content type, request id), the lean path taken only where it should be (counted), and the
 * sale's invariants under concurrent buyers on the lean path.
 */
import { randomUUID } from 'node:crypto';
import { Reservation } from '@lc/contracts/commerce.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guests, liveWithSale, saleCounters } from '../../../../../test/commerce';
import { call, connect, guest, startServer, type TestServer } from '../../../../../test/server';

type Answer = { status: number; type: string | null; requestId: string | null; body: unknown; text: string };

describe('reserve on the lean path', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ env: { SALE_FAIR_WINDOW_MS: '0' } });
  });
  afterAll(async () => {
    await s?.close();
  });

  const leanCount = async () =>
    (await s.built.deps.metrics.leanRequests.get()).values.reduce((a, v) => a + v.value, 0);

  /** The same request twice: as sent (lean when it can be) and with a query string (which the lean path never takes). */
  async function both(
    path: string,
    opts: { token?: string; key?: string | null; body?: string; type?: string; requestId?: string },
  ): Promise<{ lean: Answer; fastify: Answer; took: number }> {
    const send = async (url: string): Promise<Answer> => {
      const headers: Record<string, string> = {};
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      if (opts.key !== null) headers['idempotency-key'] = opts.key ?? randomUUID();
      if (opts.type) headers['content-type'] = opts.type;
      headers['x-request-id'] = opts.requestId ?? 'one-request-id';
      const res = await fetch(url, { method: 'POST', headers, body: opts.body });
      const text = await res.text();
      return {
        status: res.status,
        type: res.headers.get('content-type'),
        requestId: res.headers.get('x-request-id'),
        body: text ? JSON.parse(text) : undefined,
        text,
      };
    };
    const before = await leanCount();
    const lean = await send(`${s.url}${path}`);
    const took = (await leanCount()) - before;
    const fastify = await send(`${s.url}${path}?via=fastify`);
    expect((await leanCount()) - before, 'a URL with a query string never takes the lean path').toBe(took);
    return { lean, fastify, took };
  }

  it('answers every refusal exactly as the Fastify route does, and takes only what it can decide', async () => {
    const { liveId, sale, host } = await liveWithSale(s, { units: 100, perUserLimit: 2 });
    const buyer = await guest(s, 'lean buyer');
    const path = `/api/lives/${liveId}/sales/${sale.id}/reservations`;
    const json = 'application/json';
    const cases: Array<[string, Parameters<typeof both>[1], number, string, 0 | 1]> = [
      ['malformed JSON', { token: buyer.token, body: '{"quantity":', type: json }, 400, 'VALIDATION', 1],
      [
        'prototype poisoning',
        { token: buyer.token, body: '{"__proto__":{"a":1}}', type: json },
        400,
        'VALIDATION',
        1,
      ],
      ['quantity 0', { token: buyer.token, body: '{"quantity":0}', type: json }, 400, 'VALIDATION', 1],
      [
        'quantity as text',
        { token: buyer.token, body: '{"quantity":"1"}', type: json },
        400,
        'VALIDATION',
        1,
      ],
      [
        'a JSON null',
        { token: buyer.token, body: 'null', type: 'application/json; charset=utf-8' },
        400,
        'VALIDATION',
        1,
      ],
      [
        'no Idempotency-Key',
        { token: buyer.token, key: null, body: '{"quantity":1}', type: json },
        400,
        'IDEMPOTENCY_KEY_REQUIRED',
        1,
      ],
      [
        'a key with a space',
        { token: buyer.token, key: 'a b', body: '{"quantity":1}', type: json },
        400,
        'IDEMPOTENCY_KEY_REQUIRED',
        1,
      ],
      [
        'a bad body and no key: the body first',
        { token: buyer.token, key: null, body: '{}x', type: json },
        400,
        'VALIDATION',
        1,
      ],
      ['no token', { body: '{"quantity":1}', type: json }, 401, 'UNAUTHENTICATED', 0],
      [
        'a forged token',
        { token: `${buyer.token.slice(0, -2)}xx`, body: '{"quantity":1}', type: json },
        401,
        'UNAUTHENTICATED',
        0,
      ],
      ['an empty JSON body', { token: buyer.token, body: '', type: json }, 400, 'VALIDATION', 0],
      ['a text body', { token: buyer.token, body: 'quantity=1', type: 'text/plain' }, 400, 'VALIDATION', 0],
      [
        'a form body',
        { token: buyer.token, body: 'quantity=1', type: 'application/x-www-form-urlencoded' },
        415,
        'VALIDATION',
        0,
      ],
    ];
    for (const [name, opts, status, code, took] of cases) {
      const r = await both(path, { ...opts, requestId: `req-${took}-${status}` });
      expect(r.lean, name).toEqual(r.fastify);
      expect(r.lean, name).toMatchObject({
        status,
        body: { error: { code } },
        requestId: `req-${took}-${status}`,
      });
      expect(r.lean.type, name).toBe('application/json; charset=utf-8');
      expect(r.took, `${name}: taken by the lean path`).toBe(took);
    }
    // Ids that are not UUIDs, an unknown sale: answered by Fastify's schema / by the service, the same either way.
    const badId = await both(`/api/lives/${liveId}/sales/not-a-uuid/reservations`, { token: buyer.token });
    expect(badId.lean).toEqual(badId.fastify);
    expect(badId).toMatchObject({ took: 0, lean: { status: 400, body: { error: { code: 'VALIDATION' } } } });
    const unknown = await both(`/api/lives/${liveId}/sales/${randomUUID()}/reservations`, {
      token: buyer.token,
      body: '{"quantity":1}',
      type: json,
    });
    // An empty POST: Fastify validates a missing body as null.
    const empty = await both(path, { token: buyer.token });
    expect(empty.lean).toEqual(empty.fastify);
    expect(empty).toMatchObject({ took: 1, lean: { status: 400, body: { error: { code: 'VALIDATION' } } } });
    expect(unknown.lean).toEqual(unknown.fastify);
    expect(unknown).toMatchObject({
      took: 1,
      lean: { status: 404, body: { error: { code: 'SALE_NOT_FOUND' } } },
    });

    // Reservations: the same contract; a key first used through Fastify replays on the lean path and back.
    const key = randomUUID();
    const viaFastify = await both(path, { token: buyer.token, key, body: '{"quantity":1}', type: json });
    expect(viaFastify.took).toBe(1);
    expect(viaFastify.lean.status).toBe(201);
    expect(viaFastify.lean).toEqual(viaFastify.fastify);
    const first = Reservation.parse(viaFastify.lean.body);
    expect(Object.keys(viaFastify.lean.body as object).sort()).toEqual(Object.keys(first).sort());
    const mismatch = await both(path, { token: buyer.token, key, body: '{"quantity":2}', type: json });
    expect(mismatch.lean).toEqual(mismatch.fastify);
    expect(mismatch.lean).toMatchObject({ status: 422, body: { error: { code: 'IDEMPOTENCY_MISMATCH' } } });
    // A second unit (a new key, `{}`: one unit), then the limit.
    const second = await both(path, { token: buyer.token, body: '{}', type: json });
    expect(second.lean.status).toBe(201);
    expect(second.fastify).toMatchObject({ status: 409, body: { error: { code: 'PURCHASE_LIMIT' } } });
    const limit = await both(path, { token: buyer.token, body: '{"quantity":1}', type: json });
    expect(limit.lean).toEqual(limit.fastify);

    // A ban reaches the lean path at once (the reserve script checks it; the token stays cached).
    const banned = await guest(s, 'banned buyer');
    const hostSock = await connect(s, host.token);
    expect((await call(hostSock, 'mod:ban', { liveId, userId: banned.user.id })).ok).toBe(true);
    hostSock.close();
    const ban = await both(path, { token: banned.token, body: '{"quantity":1}', type: json });
    expect(ban.lean).toEqual(ban.fastify);
    expect(ban).toMatchObject({ took: 1, lean: { status: 403, body: { error: { code: 'BANNED' } } } });
  });

  it('never oversells on the lean path: 300 concurrent buyers on 40 units, with replayed keys', async () => {
    const { liveId, sale } = await liveWithSale(s, { units: 40, perUserLimit: 1 });
    const buyers = await guests(s, 300);
    const before = await leanCount();
    const keys = buyers.map(() => randomUUID());
    const send = (i: number) =>
      fetch(`${s.url}/api/lives/${liveId}/sales/${sale.id}/reservations`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${buyers[i]!.token}`,
          'idempotency-key': keys[i]!,
          'content-type': 'application/json',
        },
        body: '{"quantity":1}',
      }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { id?: string; error?: { code: string } },
      }));
    // Every buyer twice with the same key, concurrently: one decision per key.
    const answers = await Promise.all([...buyers.keys(), ...buyers.keys()].map(send));
    expect((await leanCount()) - before).toBe(600);
    const won = answers.filter((a) => a.status === 201);
    expect(new Set(won.map((a) => a.body.id)).size).toBe(40);
    for (let i = 0; i < 300; i++) expect(answers[i]).toEqual(answers[i + 300]);
    expect(answers.filter((a) => a.status !== 201).every((a) => a.body.error?.code === 'SOLD_OUT')).toBe(
      true,
    );
    expect(await saleCounters(s, liveId, sale.id)).toMatchObject({ remaining: 0, reserved: 40, sold: 0 });
  });
});
