/**
 * The one HTTP error handler and not-found handler. Every error body is `{ error: { code, message, details? } }`
 * with a code from ERROR_CODES; 5xx bodies never carry internal messages or stacks (those go to the log).
 */

import { type ErrorBody, type ErrorCode, isAppError } from '@lc/contracts/errors';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  ResponseSerializationError,
} from 'fastify-type-provider-zod';
import type { App } from './fastify';

export interface ValidationIssue {
  /** Dotted path prefixed by the request part, e.g. `body.items.0.qty` or `querystring.limit`. */
  path: string;
  message: string;
}

export interface Mapped {
  status: number;
  body: ErrorBody;
  /** 5xx: logged at error level with the original error. */
  internal: boolean;
}

const INTERNAL_MESSAGE = 'Internal server error';

/** Status → public code for non-AppError errors that carry an HTTP status (Fastify core, plugins). */
const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

export function registerErrorHandler(app: App): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const mapped = mapError(err);
    logError(request, err, mapped);
    return send(reply, mapped);
  });

  app.setNotFoundHandler((request, reply) =>
    send(reply, {
      status: 404,
      body: { code: 'NOT_FOUND', message: `Route ${request.method} ${request.url} not found` },
      internal: false,
    }),
  );
}

function send(reply: FastifyReply, mapped: Mapped): FastifyReply {
  return reply.code(mapped.status).type('application/json; charset=utf-8').send({ error: mapped.body });
}

/** The status and public body the error handler answers for an error (the lean routes answer the same). */
export const httpErrorOf = (err: unknown): Mapped => mapError(err);

function mapError(err: unknown): Mapped {
  if (isAppError(err)) {
    const body: ErrorBody = { code: err.code, message: err.message };
    if (err.details !== undefined) body.details = err.details;
    return { status: err.status, body, internal: err.status >= 500 };
  }
  if (!isObject(err)) return internal();

  if (isSerializationFailure(err)) return internal();

  if (hasZodFastifySchemaValidationErrors(err) || Array.isArray(err.validation)) {
    const context = typeof err.validationContext === 'string' ? err.validationContext : 'request';
    const issues = (err.validation as unknown[]).map((v) => toIssue(context, v));
    return {
      status: 400,
      body: { code: 'VALIDATION', message: `Invalid request ${context}`, details: issues },
      internal: false,
    };
  }

  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  const code = typeof err.code === 'string' ? err.code : '';

  // Content-type parser errors: malformed / empty JSON, unsupported media type, body too large.
  // NOTE: Fastify's own status (400, 413, 415) is kept; the public code is VALIDATION for all of them.
  if (code.startsWith('FST_ERR_CTP_') && status >= 400 && status < 500) {
    return {
      status,
      body: { code: 'VALIDATION', message: messageOf(err, 'Invalid request body') },
      internal: false,
    };
  }

  if (status >= 400 && status < 500) {
    return {
      status,
      body: { code: CODE_BY_STATUS[status] ?? 'VALIDATION', message: messageOf(err, 'Bad request') },
      internal: false,
    };
  }
  if (status === 503) {
    return { status, body: { code: 'UNAVAILABLE', message: 'Service unavailable' }, internal: true };
  }
  return internal();
}

function internal(): Mapped {
  return { status: 500, body: { code: 'INTERNAL', message: INTERNAL_MESSAGE }, internal: true };
}

function logError(request: FastifyRequest, err: unknown, mapped: Mapped): void {
  if (mapped.internal) {
    // request.log is a child logger: every line carries reqId (and nodeId).
    const extra = isSerializationFailure(err) ? { issues: err.cause?.issues } : {};
    request.log.error({ err, ...extra, status: mapped.status }, 'request failed');
    return;
  }
  request.log.info(
    { code: mapped.body.code, status: mapped.status, message: mapped.body.message },
    'request rejected',
  );
}

/**
 * A reply failed its zod response schema: a server bug, so 500.
 * NOTE: isResponseSerializationError alone only checks `'method' in value`, true for unrelated errors too.
 */
function isSerializationFailure(err: unknown): err is ResponseSerializationError {
  if (err instanceof ResponseSerializationError) return true;
  return isObject(err) && err.code === 'FST_ERR_RESPONSE_SERIALIZATION' && isResponseSerializationError(err);
}

function toIssue(context: string, v: unknown): ValidationIssue {
  const item = isObject(v) ? v : {};
  const pointer = typeof item.instancePath === 'string' ? item.instancePath : '';
  const segments = pointer.split('/').filter(Boolean);
  const params = isObject(item.params) ? item.params : {};
  // Ajv reports a missing property on its parent; name the property itself.
  if (item.keyword === 'required' && typeof params.missingProperty === 'string') {
    segments.push(params.missingProperty);
  }
  return {
    path: [context, ...segments].join('.'),
    message: typeof item.message === 'string' ? item.message : 'Invalid value',
  };
}

function messageOf(err: Record<string, unknown>, fallback: string): string {
  return typeof err.message === 'string' && err.message.length > 0 ? err.message : fallback;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
