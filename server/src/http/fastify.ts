/**
 * Fastify instance factory: zod type provider + compilers, pino logging with request ids.
 * The composition root calls `createFastify` first, then registers error handler → docs → metrics → health → features.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';

/** The app type every `register*` function and feature route module takes. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface CreateFastifyOptions {
  logLevel: string;
  trustProxy: boolean;
  /** Added to every log line as `nodeId` so logs from N API nodes can be told apart. */
  nodeId: string;
  /** Log destination; defaults to stdout. Tests pass a stream to assert on log lines. */
  logStream?: NodeJS.WritableStream;
}

export const REQUEST_ID_HEADER = 'x-request-id';
const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Honour an upstream request id (load balancer, client) when it is safe to log and echo; else mint one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && SANE_REQUEST_ID.test(value) ? value : randomUUID();
}

export function createFastify(opts: CreateFastifyOptions): App {
  const app = Fastify({
    logger: {
      level: opts.logLevel,
      base: { pid: process.pid, hostname: hostname(), nodeId: opts.nodeId },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
        censor: '[redacted]',
      },
      ...(opts.logStream ? { stream: opts.logStream } : {}),
    },
    // NOTE: Fastify 5 ignores request id headers by default (requestIdHeader: false), so genReqId sees every request.
    genReqId: (req) => requestIdFrom(req.headers[REQUEST_ID_HEADER]),
    trustProxy: opts.trustProxy,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // onRequest runs for 404s and errors too, so every response carries the id the logs use.
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });

  return app;
}
