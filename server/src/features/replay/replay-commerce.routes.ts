/** REST for buying from the replay: reserve a product shown in the live (then pay with the normal pay route). */
import { Reservation } from '@lc/contracts/commerce.schema';
import { LiveParams } from '@lc/contracts/live.schema';
import { ReplayReserveBody } from '@lc/contracts/replay.schema';
import { BEARER_SECURITY } from '../../http/docs';
import type { App } from '../../http/fastify';
import { IDEMPOTENCY_HEADER, idempotencyKeyFrom } from '../commerce/idempotency';
import { IdempotencyHeaders } from '../commerce/sales/sales.routes';
import type { ReplayCommerce } from './replay-commerce';

export function replayCommerceRoutes(app: App, deps: { commerce: ReplayCommerce }) {
  app.post(
    '/api/lives/:liveId/recording/reservations',
    {
      schema: {
        tags: ['replay', 'commerce'],
        security: BEARER_SECURITY,
        summary: 'Reserve a product shown in the live from its replay (Idempotency-Key required)',
        description:
          'At the product’s list price, once the live is over and its sales settled. `offsetMs` (where in the ' +
          'recording the viewer is) is recorded on the order. Pay with POST …/reservations/:rid/pay.',
        params: LiveParams,
        headers: IdempotencyHeaders,
        body: ReplayReserveBody,
        response: { 201: Reservation },
      },
      config: { access: 'user' },
    },
    async (req, reply) => {
      const key = idempotencyKeyFrom(req.headers[IDEMPOTENCY_HEADER]);
      return reply.code(201).send(await deps.commerce.reserve(req.user!, req.params.liveId, key, req.body));
    },
  );
}
