/**
 * Flash-sale REST: the host schedules and closes sales; anyone reads them (server deadlines + serverTime);
 * viewers reserve with a required Idempotency-Key and read their reservations.
 */

import {
  Reservation,
  ReservationParams,
  ReserveBody,
  Sale,
  SaleParams,
  ScheduleSaleBody,
} from '@lc/contracts/commerce.schema';
import { LiveParams } from '@lc/contracts/live.schema';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { BEARER_SECURITY } from '../../../http/docs';
import type { App } from '../../../http/fastify';
import { IDEMPOTENCY_HEADER, idempotencyKeyFrom } from '../idempotency';
import { isRefusal, type SalesService } from './sales.service';

export const IdempotencyHeaders = z.object({
  [IDEMPOTENCY_HEADER]: z
    .string()
    .optional()
    .describe('Required: 1-128 visible ASCII characters naming this attempt'),
});

export function salesRoutes(app: App, deps: { sales: SalesService; now?: () => number }) {
  const tags = ['commerce'];
  const security = BEARER_SECURITY;
  const { sales } = deps;
  const now = deps.now ?? Date.now;
  app.post(
    '/api/lives/:liveId/sales',
    {
      schema: {
        tags,
        security,
        summary: 'Schedule a flash sale of a product (host); a `sale:scheduled` room event',
        params: LiveParams,
        body: ScheduleSaleBody,
        response: { 201: Sale },
      },
      config: { access: 'live-host' },
    },
    async (req, reply) => reply.code(201).send(await sales.schedule(req.user!, req.params.liveId, req.body)),
  );
  app.get(
    '/api/lives/:liveId/sales',
    {
      schema: {
        tags,
        security,
        summary: 'Sales of the live with server deadlines and stock',
        params: LiveParams,
        response: { 200: z.object({ serverTime: z.number().int(), sales: z.array(Sale) }) },
      },
      config: { access: 'user' },
    },
    async (req) => ({ sales: await sales.list(req.params.liveId), serverTime: now() }),
  );
  app.get(
    '/api/lives/:liveId/sales/:saleId',
    {
      schema: {
        tags,
        security,
        summary: 'One sale',
        params: SaleParams,
        response: { 200: z.object({ serverTime: z.number().int(), sale: Sale }) },
      },
      config: { access: 'user' },
    },
    async (req) => ({ sale: await sales.get(req.params.liveId, req.params.saleId), serverTime: now() }),
  );
  app.post(
    '/api/lives/:liveId/sales/:saleId/close',
    {
      schema: {
        tags,
        security,
        summary: 'End a sale now (host); holds stay valid until their deadline',
        params: SaleParams,
        response: { 200: Sale },
      },
      config: { access: 'live-host' },
    },
    async (req) => sales.close(req.user!, req.params.liveId, req.params.saleId),
  );
  app.post(
    '/api/lives/:liveId/sales/:saleId/reservations',
    {
      schema: {
        tags,
        security,
        summary: 'Reserve units (Idempotency-Key required); fair admission right after open',
        description:
          'The same key and body replay the first outcome; the same key with another body is refused with ' +
          'IDEMPOTENCY_MISMATCH. Inside the fair window the response waits for the admission pass.',
        params: SaleParams,
        headers: IdempotencyHeaders,
        body: ReserveBody.optional(),
        response: { 201: Reservation },
      },
      config: { access: 'user' },
    },
    async (req, reply) => {
      const key = idempotencyKeyFrom(req.headers[IDEMPOTENCY_HEADER]);
      const r = await sales.attempt(
        req.user!,
        req.params.liveId,
        req.params.saleId,
        key,
        req.body ?? { quantity: 1 },
      );
      if (!isRefusal(r)) return reply.code(201).send(r);
      // NOTE: the same status, body and log line the error handler gives an AppError, minus the exception.
      const { status, ...error } = r.refused;
      req.log.info({ code: error.code, status, message: error.message }, 'request rejected');
      // The route's schema lists only 201; errors are untyped here as they are in the error handler.
      return (reply as unknown as FastifyReply)
        .code(status)
        .type('application/json; charset=utf-8')
        .send({ error });
    },
  );
  app.get(
    '/api/lives/:liveId/reservations',
    {
      schema: {
        tags,
        security,
        summary: "The caller's reservations in the live, newest first",
        params: LiveParams,
        response: { 200: z.object({ reservations: z.array(Reservation) }) },
      },
      config: { access: 'user' },
    },
    async (req) => ({ reservations: await sales.mine(req.params.liveId, req.user!.sub) }),
  );
  app.get(
    '/api/lives/:liveId/reservations/:reservationId',
    {
      schema: {
        tags,
        security,
        summary: 'One of the caller’s reservations',
        params: ReservationParams,
        response: { 200: Reservation },
      },
      config: { access: 'user' },
    },
    async (req) => sales.reservation(req.user!, req.params.liveId, req.params.reservationId),
  );
}
