/**
 * The reserve route on the lean path (http/lean-routes.ts): `POST /api/lives/:liveId/sales/:saleId/reservations`
 * answered exactly as sales.routes.ts answers it — for a caller whose token this node has already verified and
 * a JSON or empty body of a known length. Anything else goes to the Fastify route before the body is read.
 * Checks run in Fastify's order (access, body parse, body schema, then the handler's Idempotency-Key).
 */
import type { TokenClaims } from '@lc/contracts/auth.schema';
import { Reservation, ReserveBody, SaleParams } from '@lc/contracts/commerce.schema';
import { errorCodes } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import secureJson from 'secure-json-parse';
import type { LeanRequest, LeanRoute, LeanRoutes } from '../../../http/lean-routes';
import { bearer, type Tokens } from '../../auth/tokens';
import { IDEMPOTENCY_HEADER, idempotencyKeyFrom } from '../idempotency';
import { isRefusal, type SalesService } from './sales.service';

const PATH = /^\/api\/lives\/([^/?#]+)\/sales\/([^/?#]+)\/reservations$/;
const JSON_TYPE = /^application\/json\s*(;|$)/i;
/** A reserve body is `{"quantity":N}`; a bigger one goes to Fastify (its body limit, its errors). */
const MAX_BODY = 1024;
/** Fastify's JSON parser options (onProtoPoisoning / onConstructorPoisoning defaults). */
const PARSE = { protoAction: 'error', constructorAction: 'error' } as const;
// NOTE: the very validator the Fastify route compiles, so a bad body gets the same VALIDATION details.
const validateBody = validatorCompiler({
  schema: ReserveBody.optional(),
  method: 'POST',
  url: '',
  httpPart: 'body',
} as never) as (data: unknown) => { value?: ReserveBody; error?: unknown[] };
// NOTE: and the route's response serializer, so a replayed key gets byte-identical bodies on either path.
const serialize = serializerCompiler({
  schema: Reservation,
  method: 'POST',
  url: '/api/lives/:liveId/sales/:saleId/reservations',
  httpPart: 'body',
} as never) as (data: unknown) => string;

export function leanReserveRoute(deps: { lean: LeanRoutes; tokens: Tokens; sales: SalesService }): LeanRoute {
  const { lean, tokens, sales } = deps;

  const decide = (r: LeanRequest, user: TokenClaims, raw: Buffer | undefined) => {
    let body: unknown;
    if (raw !== undefined) {
      try {
        body = secureJson.parse(raw, undefined, PARSE);
      } catch {
        return lean.sendError(r, new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY());
      }
    }
    // NOTE: Fastify validates a missing body as null (lib/validation.js), so an empty POST is a VALIDATION too.
    const v = validateBody(raw === undefined ? null : body);
    if (v.error) {
      return lean.sendError(r, {
        statusCode: 400,
        code: 'FST_ERR_VALIDATION',
        validation: v.error,
        validationContext: 'body',
      });
    }
    let key: string;
    try {
      key = idempotencyKeyFrom(r.req.headers[IDEMPOTENCY_HEADER]);
    } catch (err) {
      return lean.sendError(r, err);
    }
    const [liveId, saleId] = r.params as [string, string];
    sales.attempt(user, liveId, saleId, key, v.value ?? { quantity: 1 }).then(
      (out) => {
        if (!isRefusal(out)) return lean.sendJson(r, 201, serialize(out));
        const { status, ...error } = out.refused;
        lean.sendErrorBody(r, status, error);
      },
      (err) => lean.sendError(r, err),
    );
  };

  return {
    method: 'POST',
    route: '/api/lives/:liveId/sales/:saleId/reservations',
    path: PATH,
    take(r) {
      const { req } = r;
      if (!SaleParams.safeParse({ liveId: r.params[0], saleId: r.params[1] }).success) return false;
      const token = bearer(req.headers.authorization);
      const user = token ? tokens.peek(token) : undefined;
      if (!user) return false;
      if (req.headers['transfer-encoding'] !== undefined) return false;
      const length = Number(req.headers['content-length'] ?? 0);
      if (!Number.isInteger(length) || length < 0 || length > MAX_BODY) return false;
      const type = req.headers['content-type'];
      if (type === undefined ? length !== 0 : length === 0 || !JSON_TYPE.test(type)) return false;
      if (length === 0) {
        decide(r, user, undefined);
        return true;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => decide(r, user, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
      // NOTE: the client went away mid-body: nothing to answer.
      req.on('error', () => {});
      return true;
    },
  };
}
