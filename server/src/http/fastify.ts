/**
 * Fastify instance factory: zod type provider + compilers, pino logging with request ids.
 * The composition root calls `createFastify` first, then registers error handler → docs → metrics → health → features.
 */
import { hostname } from 'node:os';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { LeanRoutes } from './lean-routes';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id';

export { REQUEST_ID_HEADER, requestIdFrom };

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
  /** Hot routes answered in front of Fastify (see lean-routes.ts); their server is Fastify's server. */
  lean?: LeanRoutes;
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
    ...(opts.lean ? { serverFactory: opts.lean.serverFactory } : {}),
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // onRequest runs for 404s and errors too, so every response carries the id the logs use.
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });

  return app;
}
