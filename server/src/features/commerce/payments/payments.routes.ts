/**
 * Payment REST: start paying a reservation (Idempotency-Key required), the provider's webhook (raw body,
 * signature verified before anything is parsed), and the caller's orders.
 */

import { Order, PayBody, PaymentStarted, ReservationParams } from '@lc/contracts/commerce.schema';
import { LiveParams } from '@lc/contracts/live.schema';
import { z } from 'zod';
import { BEARER_SECURITY } from '../../../http/docs';
import type { App } from '../../../http/fastify';
import { IDEMPOTENCY_HEADER, idempotencyKeyFrom } from '../idempotency';
import { IdempotencyHeaders } from '../sales/sales.routes';
import type { PaymentsService } from './payments.service';

export async function paymentsRoutes(app: App, deps: { payments: PaymentsService; providerName: string }) {
  const tags = ['commerce'];
  const security = BEARER_SECURITY;
  const { payments } = deps;
  app.post(
    '/api/lives/:liveId/reservations/:reservationId/pay',
    {
      schema: {
        tags,
        security,
        summary: 'Pay a reservation (Idempotency-Key required); the outcome arrives as `order:paid`',
        params: ReservationParams,
        headers: IdempotencyHeaders,
        body: PayBody.optional(),
        response: { 202: PaymentStarted },
      },
      config: { access: 'user' },
    },
    async (req, reply) => {
      const key = idempotencyKeyFrom(req.headers[IDEMPOTENCY_HEADER]);
      const body = req.body ?? PayBody.parse({});
      const started = await payments.pay(req.user!, req.params.liveId, req.params.reservationId, key, body);
      return reply.code(202).send(started);
    },
  );
  app.get(
    '/api/lives/:liveId/orders',
    {
      schema: {
        tags,
        security,
        summary: "The caller's orders in the live",
        params: LiveParams,
        response: { 200: z.object({ orders: z.array(Order) }) },
      },
      config: { access: 'user' },
    },
    async (req) => ({ orders: await payments.myOrders(req.params.liveId, req.user!.sub) }),
  );
  // NOTE: own plugin scope so the raw-body parser applies to the webhook only: the HMAC covers the exact bytes.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_req, body, done) =>
      done(null, body),
    );
    scope.post(
      `/api/payments/webhooks/${deps.providerName}`,
      {
        schema: {
          tags,
          summary:
            'Payment provider webhook (signed: HMAC-SHA256 over `t.body`, timestamp tolerance, event ids once)',
          response: { 200: z.object({ received: z.literal(true), duplicate: z.boolean() }) },
        },
      },
      async (req) => payments.handleWebhook(req.headers, req.body as Buffer),
    );
  });
}
