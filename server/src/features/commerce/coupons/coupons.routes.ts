/** Coupon REST: the host issues coupons; viewers list (with their own claims) and claim while the live is on. */

import { Coupon, CouponClaim, CouponParams, CreateCouponBody } from '@lc/contracts/commerce.schema';
import { LiveParams } from '@lc/contracts/live.schema';
import { z } from 'zod';
import { BEARER_SECURITY } from '../../../http/docs';
import type { App } from '../../../http/fastify';
import type { CouponsService } from './coupons.service';

export function couponsRoutes(app: App, deps: { coupons: CouponsService }) {
  const tags = ['commerce'];
  const security = BEARER_SECURITY;
  const { coupons } = deps;
  app.post(
    '/api/lives/:liveId/coupons',
    {
      schema: {
        tags,
        security,
        summary: 'Issue a coupon (host): amount off above a minimum spend, or percent off with a cap',
        params: LiveParams,
        body: CreateCouponBody,
        response: { 201: Coupon },
      },
      config: { access: 'live-host' },
    },
    async (req, reply) => reply.code(201).send(await coupons.create(req.user!, req.params.liveId, req.body)),
  );
  app.get(
    '/api/lives/:liveId/coupons',
    {
      schema: {
        tags,
        security,
        summary: 'Coupons of the live, with what the caller holds',
        params: LiveParams,
        response: { 200: z.object({ coupons: z.array(Coupon) }) },
      },
      config: { access: 'user' },
    },
    async (req) => ({ coupons: await coupons.list(req.params.liveId, req.user!.sub) }),
  );
  app.post(
    '/api/lives/:liveId/coupons/:couponId/claims',
    {
      schema: {
        tags,
        security,
        summary: 'Claim a coupon while the live is on (quota and per-user limit exact)',
        params: CouponParams,
        response: { 201: CouponClaim },
      },
      config: { access: 'user' },
    },
    async (req, reply) =>
      reply.code(201).send(await coupons.claim(req.user!, req.params.liveId, req.params.couponId)),
  );
}
