import { PassThrough } from 'node:stream';
import { AppError } from '@lc/contracts/errors';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registerDocs } from './docs';
import { registerErrorHandler } from './error-handler';
import { type App, createFastify } from './fastify';
import { type HealthCheck, registerHealthRoutes } from './health';
import { createMetrics, registerMetricsRoute } from './metrics';

const apps: App[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

interface TestApp {
  app: App;
  logs: () => Array<Record<string, unknown>>;
}

async function buildTestApp(checks: Record<string, HealthCheck> = {}, timeoutMs?: number): Promise<TestApp> {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));

  const app = createFastify({ logLevel: 'info', trustProxy: false, nodeId: 'test-node', logStream: stream });
  apps.push(app);
  registerErrorHandler(app);
  await registerDocs(app, { title: 'Test API', version: '0.0.0', publicUrl: 'http://localhost:3000' });
  const metrics = createMetrics();
  registerMetricsRoute(app, metrics);
  registerHealthRoutes(app, { checks, timeoutMs });

  app.get('/boom/app', async () => {
    throw new AppError('LIVE_NOT_FOUND');
  });
  app.get('/boom/plain', async () => {
    throw new Error('secret detail');
  });
  app.get('/boom/limited', async () => {
    // Stands in for @fastify/rate-limit, which throws an error carrying statusCode 429.
    throw Object.assign(new Error('Rate limit exceeded, retry in 1 minute'), { statusCode: 429 });
  });
  app.get(
    '/boom/response',
    { schema: { response: { 200: z.object({ id: z.string() }) } } },
    // Deliberately violates the response schema.
    async () => ({ id: 42 }) as unknown as { id: string },
  );
  app.post(
    '/items/:liveId',
    {
      schema: {
        tags: ['test'],
        params: z.object({ liveId: z.string().min(1) }),
        body: z.object({ name: z.string().min(1), qty: z.number().int().positive() }),
        response: { 201: z.object({ liveId: z.string(), name: z.string(), qty: z.number() }) },
      },
    },
    async (request, reply) => reply.code(201).send({ liveId: request.params.liveId, ...request.body }),
  );

  await app.ready();
  return { app, logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('error handler', () => {
  it('maps an AppError to its status and public code', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject({ method: 'GET', url: '/boom/app' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'LIVE_NOT_FOUND', message: 'LIVE_NOT_FOUND' } });
  });

  it('hides the message of an unexpected error behind 500 INTERNAL but logs it with the request id', async () => {
    const { app, logs } = await buildTestApp();
    const res = await app.inject({
      method: 'GET',
      url: '/boom/plain',
      headers: { 'x-request-id': 'req-123' },
    });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'INTERNAL', message: 'Internal server error' } });
    expect(res.body).not.toContain('secret detail');

    const logged = logs().find((l) => l.msg === 'request failed');
    expect(logged).toMatchObject({ level: 50, reqId: 'req-123', nodeId: 'test-node' });
    expect(JSON.stringify(logged)).toContain('secret detail');
  });

  it('answers a response that breaks its schema with 500 INTERNAL', async () => {
    const { app, logs } = await buildTestApp();
    const res = await app.inject({ method: 'GET', url: '/boom/response' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'INTERNAL', message: 'Internal server error' } });
    expect(logs().some((l) => l.msg === 'request failed' && l.level === 50)).toBe(true);
  });

  it('rejects a body that fails its zod schema with 400 VALIDATION and a path per issue', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject({ method: 'POST', url: '/items/live-1', payload: { name: '', qty: 1.5 } });
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('VALIDATION');
    expect(error.details).toEqual(
      expect.arrayContaining([
        { path: 'body.name', message: expect.any(String) },
        { path: 'body.qty', message: expect.any(String) },
      ]),
    );
  });

  it('accepts a body that matches its zod schema', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject({ method: 'POST', url: '/items/live-1', payload: { name: 'mug', qty: 2 } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ liveId: 'live-1', name: 'mug', qty: 2 });
  });

  it('rejects malformed JSON with 400 VALIDATION', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject({
      method: 'POST',
      url: '/items/live-1',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": "mug",',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION');
  });

  it('answers an unknown route with 404 NOT_FOUND', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Route GET /nope not found' } });
  });

  it('maps a 429 thrown by a rate limiter to RATE_LIMITED', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject({ method: 'GET', url: '/boom/limited' });
    expect(res.statusCode).toBe(429);
    expect(res.json()).toEqual({
      error: { code: 'RATE_LIMITED', message: 'Rate limit exceeded, retry in 1 minute' },
    });
  });

  it('keeps the status of other content-type parser errors with code VALIDATION', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject({
      method: 'POST',
      url: '/items/live-1',
      headers: { 'content-type': 'application/x-unknown' },
      payload: 'x',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('VALIDATION');
  });
});

describe('request ids', () => {
  it('echoes a sane incoming x-request-id', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'abc.DEF_1-2' },
    });
    expect(res.headers['x-request-id']).toBe('abc.DEF_1-2');
  });

  it('generates a uuid when the incoming id is missing or unsafe', async () => {
    const { app } = await buildTestApp();
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const missing = await app.inject({ method: 'GET', url: '/healthz' });
    const unsafe = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'a b<script>' },
    });
    const tooLong = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'a'.repeat(65) },
    });
    for (const res of [missing, unsafe, tooLong]) expect(res.headers['x-request-id']).toMatch(uuid);
  });

  it('puts the request id on error and 404 responses too', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject({ method: 'GET', url: '/nope', headers: { 'x-request-id': 'r-404' } });
    expect(res.headers['x-request-id']).toBe('r-404');
  });
});

describe('health', () => {
  it('reports liveness without running checks', async () => {
    const { app } = await buildTestApp({ redis: () => Promise.reject(new Error('down')) });
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('is ready when every check passes and includes plain-object results as info', async () => {
    const { app } = await buildTestApp({
      redis: async () => 'PONG',
      media: async () => ({ workers: 4, routers: 2 }),
    });
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('ready');
    expect(body.checks.redis).toEqual({ ok: true, ms: expect.any(Number) });
    expect(body.checks.media).toEqual({ ok: true, ms: expect.any(Number), info: { workers: 4, routers: 2 } });
  });

  it('is unready with 503 naming the check that failed', async () => {
    const { app } = await buildTestApp({
      redis: async () => 'PONG',
      ledger: async () => {
        throw new Error('connection refused');
      },
    });
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    const body = res.json();
    expect(body.status).toBe('unready');
    expect(body.checks.redis.ok).toBe(true);
    expect(body.checks.ledger).toEqual({ ok: false, ms: expect.any(Number), error: 'connection refused' });
  });

  it('fails a check that hangs past the timeout', async () => {
    const { app } = await buildTestApp({ stuck: () => new Promise(() => {}) }, 50);
    const started = Date.now();
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.stuck).toMatchObject({ ok: false, error: 'timed out after 50 ms' });
  });
});

describe('docs', () => {
  it('serves an OpenAPI 3 document that contains the zod routes', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });

    const post = doc.paths['/items/{liveId}'].post;
    const bodySchema = post.requestBody.content['application/json'].schema;
    expect(bodySchema.properties.qty.type).toBe('integer');
    expect(bodySchema.required).toEqual(['name', 'qty']);
    expect(post.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'liveId', in: 'path' })]),
    );

    expect(doc.paths['/readyz'].get.tags).toEqual(['health']);
    expect(doc.paths['/readyz'].get.responses['503']).toBeDefined();
    expect(doc.paths['/metrics']).toBeUndefined();
  });
});

describe('metrics', () => {
  it('times requests by route pattern and labels unknown routes as unknown', async () => {
    const { app } = await buildTestApp();
    await app.inject({ method: 'POST', url: '/items/live-77', payload: { name: 'mug', qty: 1 } });
    await app.inject({ method: 'GET', url: '/random/scanner/path' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('lc_http_request_duration_seconds_bucket');
    expect(res.body).toMatch(
      /lc_http_request_duration_seconds_count\{method="POST",route="\/items\/:liveId",status="201"\} 1/,
    );
    expect(res.body).toMatch(
      /lc_http_request_duration_seconds_count\{method="GET",route="unknown",status="404"\} 1/,
    );
    expect(res.body).not.toContain('live-77');
    expect(res.body).not.toContain('scanner');
  });

  it('creates independent registries so two apps in one process never clash', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.framesEmitted.inc(3);
    b.framesEmitted.inc(1);
    expect(await a.registry.metrics()).toContain('lc_frames_emitted_total 3');
    expect(await b.registry.metrics()).toContain('lc_frames_emitted_total 1');
    expect(await a.registry.metrics()).toContain('process_cpu_user_seconds_total');
  });

  it('runs collectors at scrape time and survives one that fails', async () => {
    const metrics = createMetrics();
    metrics.addCollector(() => {
      metrics.jobs.set({ queue: 'settlement', state: 'waiting' }, 7);
    });
    metrics.addCollector(async () => {
      throw new Error('redis down');
    });
    const failures = await metrics.runCollectors();
    expect(failures).toHaveLength(1);
    expect(await metrics.registry.metrics()).toContain('lc_jobs{queue="settlement",state="waiting"} 7');
  });
});
