/**
 * The lean path (issue #15): a few hot routes answered straight from Node's `request` event, in front of Fastify.
 * A lean route takes only a request it can decide exactly as its Fastify route would — the same access rule,
 * zod contract, error codes, headers, metrics and log lines — and hands anything else (a token not yet verified,
 * malformed ids, an unusual content type, a chunked or large body, a query string, a closing server) to Fastify
 * untouched, before reading a byte of the body. Every such refusal keeps its one implementation in Fastify.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { ErrorBody } from '@lc/contracts/errors';
import type { FastifyBaseLogger, FastifyServerFactory } from 'fastify';
import { httpErrorOf } from './error-handler';
import type { Metrics } from './metrics';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id';

export interface LeanRequest {
  req: IncomingMessage;
  res: ServerResponse;
  /** The path's captured segments. */
  params: string[];
  id: string;
  /** The route pattern (metrics label). */
  route: string;
  started: number;
}

export interface LeanRoute {
  method: 'GET' | 'POST';
  /** The Fastify route pattern (the metrics label). */
  route: string;
  /** Anchored; the captures are the params. A URL with a query string never matches (Fastify takes it). */
  path: RegExp;
  /** Answers the request and returns true, or returns false (having read nothing) to hand it to Fastify. */
  take(r: LeanRequest): boolean;
}

export interface LeanRoutes {
  add(route: LeanRoute): void;
  /** Logger and metrics once the app has them; off: every request goes to Fastify (A/B runs, a kill switch). */
  configure(opts: { log: FastifyBaseLogger; metrics: Metrics; enabled: boolean }): void;
  /** Fastify's `serverFactory`: a plain HTTP/1 server that tries the lean routes first. */
  serverFactory: FastifyServerFactory;
  sendJson(r: LeanRequest, status: number, body: string): void;
  /** The error as Fastify's error handler would answer it (status, body, log line). */
  sendError(r: LeanRequest, err: unknown): void;
  /** A refusal decided as a value (not thrown): `{ error: body }` with the error handler's log line. */
  sendErrorBody(r: LeanRequest, status: number, body: ErrorBody): void;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const INFO_OR_FINER = new Set(['info', 'debug', 'trace']);

export function createLeanRoutes(): LeanRoutes {
  const routes: LeanRoute[] = [];
  let log: FastifyBaseLogger | undefined;
  let metrics: Metrics | undefined;
  let enabled = false;
  let server: ReturnType<typeof createServer> | undefined;
  const infoOn = () => log !== undefined && INFO_OR_FINER.has(log.level);

  const dispatch = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!enabled || !server?.listening) return false;
    const url = req.url ?? '';
    for (const route of routes) {
      if (req.method !== route.method) continue;
      const m = route.path.exec(url);
      if (!m) continue;
      const r: LeanRequest = {
        req,
        res,
        params: m.slice(1),
        id: requestIdFrom(req.headers[REQUEST_ID_HEADER]),
        route: route.route,
        started: performance.now(),
      };
      if (!route.take(r)) return false;
      if (infoOn()) {
        const from = { method: req.method, url, remoteAddress: req.socket.remoteAddress };
        log?.info({ reqId: r.id, req: from }, 'incoming request');
      }
      metrics?.leanRequests.inc({ route: route.route });
      return true;
    }
    return false;
  };

  const finish = (r: LeanRequest, status: number) => {
    const ms = performance.now() - r.started;
    metrics?.httpDuration.observe(
      { method: r.req.method ?? '', route: r.route, status: String(status) },
      ms / 1000,
    );
    if (infoOn()) {
      log?.info({ reqId: r.id, res: { statusCode: status }, responseTime: ms }, 'request completed');
    }
  };

  const sendJson = (r: LeanRequest, status: number, body: string) => {
    r.res.writeHead(status, {
      'content-type': JSON_TYPE,
      'content-length': Buffer.byteLength(body),
      [REQUEST_ID_HEADER]: r.id,
    });
    r.res.end(body);
    finish(r, status);
  };

  const sendErrorBody = (r: LeanRequest, status: number, body: ErrorBody) => {
    if (infoOn()) {
      log?.info({ reqId: r.id, code: body.code, status, message: body.message }, 'request rejected');
    }
    sendJson(r, status, JSON.stringify({ error: body }));
  };

  return {
    add: (route) => {
      routes.push(route);
    },
    configure(opts) {
      log = opts.log;
      metrics = opts.metrics;
      enabled = opts.enabled;
    },
    serverFactory: (handler, fastifyOpts) => {
      // NOTE: what Fastify does to the HTTP/1 server it creates itself (lib/server.js); we never use HTTPS/HTTP2.
      const opts = fastifyOpts as {
        http?: object;
        keepAliveTimeout?: number;
        requestTimeout?: number;
        connectionTimeout?: number;
        maxRequestsPerSocket?: number;
      };
      const s = createServer(opts.http ?? {}, (req, res) => {
        if (!dispatch(req, res)) handler(req, res);
      });
      s.keepAliveTimeout = opts.keepAliveTimeout ?? 72_000;
      s.requestTimeout = opts.requestTimeout ?? 0;
      s.setTimeout(opts.connectionTimeout ?? 0);
      if (opts.maxRequestsPerSocket) s.maxRequestsPerSocket = opts.maxRequestsPerSocket;
      server = s;
      return s;
    },
    sendJson,
    sendError(r, err) {
      const mapped = httpErrorOf(err);
      if (!mapped.internal) return sendErrorBody(r, mapped.status, mapped.body);
      log?.error({ reqId: r.id, err, status: mapped.status }, 'request failed');
      sendJson(r, mapped.status, JSON.stringify({ error: mapped.body }));
    },
    sendErrorBody,
  };
}
