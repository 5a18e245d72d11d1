/**
 * Prometheus metrics: one registry per app (never prom-client's global one, so several apps share a test
 * process), the `lc_*` metrics the services update, scrape-time collectors, and the GET /metrics route.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { App } from './fastify';

export type Collector = () => Promise<void> | void;

export interface Metrics {
  registry: Registry;
  /** Connected Socket.IO sockets on this node. */
  sockets: Gauge;
  /** Socket events handled, by event name and outcome (`ok`, or an error code). */
  socketEvents: Counter<'event' | 'outcome'>;
  /** Room events appended and published, by event type. */
  roomEventsPublished: Counter<'type'>;
  /** Coalesced broadcast frames emitted to rooms. */
  framesEmitted: Counter;
  /** Redis round-trip latency in seconds, by operation (`op` optional). */
  redisLatency: Histogram<'op'>;
  /** HTTP request duration in seconds, labelled with the route pattern (never the raw URL). */
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** Requests the lean path answered (http/lean-routes.ts), by route pattern; the rest went through Fastify. */
  leanRequests: Counter<'route'>;
  /** BullMQ job counts by queue and state; set by a collector at scrape time. */
  jobs: Gauge<'queue' | 'state'>;
  /** Add a function run before every scrape (e.g. read queue counts into `jobs`). */
  addCollector(fn: Collector): void;
  /** Run every collector; resolves with the errors of those that failed (a failing collector never fails a scrape). */
  runCollectors(): Promise<unknown[]>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const collectors: Collector[] = [];

  return {
    registry,
    sockets: new Gauge({ name: 'lc_sockets', help: 'Connected sockets on this node', registers }),
    socketEvents: new Counter({
      name: 'lc_socket_events_total',
      help: 'Socket events handled, by event and outcome',
      labelNames: ['event', 'outcome'] as const,
      registers,
    }),
    roomEventsPublished: new Counter({
      name: 'lc_room_events_published_total',
      help: 'Room events published, by type',
      labelNames: ['type'] as const,
      registers,
    }),
    framesEmitted: new Counter({
      name: 'lc_frames_emitted_total',
      help: 'Coalesced broadcast frames emitted',
      registers,
    }),
    redisLatency: new Histogram({
      name: 'lc_redis_latency_seconds',
      help: 'Redis command round-trip latency',
      labelNames: ['op'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
    httpDuration: new Histogram({
      name: 'lc_http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    leanRequests: new Counter({
      name: 'lc_http_lean_requests_total',
      help: 'Requests answered by the lean path, by route pattern',
      labelNames: ['route'] as const,
      registers,
    }),
    jobs: new Gauge({
      name: 'lc_jobs',
      help: 'Background jobs by queue and state',
      labelNames: ['queue', 'state'] as const,
      registers,
    }),
    addCollector(fn) {
      collectors.push(fn);
    },
    async runCollectors() {
      const results = await Promise.allSettled(collectors.map(async (fn) => fn()));
      return results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    },
  };
}

/**
 * GET /metrics (hidden from OpenAPI) and an onResponse hook timing every request.
 * NOTE: call before declaring feature routes; the hook only applies to routes in this (root) context.
 */
export function registerMetricsRoute(app: App, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    // 404s have no route pattern; one label value keeps scanners from exploding cardinality.
    const route = request.is404 ? 'unknown' : (request.routeOptions.url ?? 'unknown');
    metrics.httpDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.get('/metrics', { schema: { hide: true }, logLevel: 'warn' }, async (request, reply) => {
    const failures = await metrics.runCollectors();
    for (const err of failures) request.log.warn({ err }, 'metrics collector failed');
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
}
