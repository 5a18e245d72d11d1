/** REST: points rules (merchant), a user's points with a merchant, the points shop, order points reversal. */
import { IdempotencyKey } from '@lc/contracts/commerce.schema';
import { AppError } from '@lc/contracts/errors';
import {
  CreateShopItemBody,
  MerchantParams,
  OrderParams,
  PointsAccount,
  PointsRules,
  Redemption,
  ReversalResult,
  ShopItem,
  ShopItemParams,
} from '@lc/contracts/growth.schema';
import { z } from 'zod';
import type { App } from '../../http/fastify';
import type { PointsService } from './points.service';

const RedeemHeaders = z.object({
  'idempotency-key': z
    .string()
    .optional()
    .describe('Required: 1-128 visible ASCII characters naming this redemption'),
});

export function pointsRoutes(app: App, deps: { points: PointsService }) {
  const tags = ['growth'];
  const security = [{ bearer: [] }];
  const { points } = deps;
  app.get(
    '/api/growth/rules',
    {
      schema: {
        tags,
        security,
        summary: 'Your points rules (defaults until set)',
        response: { 200: PointsRules },
      },
      config: { access: 'host-account' },
    },
    async (req) => points.rules(req.user!),
  );
  app.put(
    '/api/growth/rules',
    {
      schema: {
        tags,
        security,
        summary: 'Set your points rules (unknown rule or negative value: VALIDATION)',
        body: PointsRules,
        response: { 200: PointsRules },
      },
      config: { access: 'host-account' },
    },
    async (req) => points.setRules(req.user!, req.body),
  );
  app.get(
    '/api/merchants/:merchantId/points',
    {
      schema: {
        tags,
        security,
        summary: "The caller's points with a merchant: balance and latest ledger rows",
        params: MerchantParams,
        response: { 200: PointsAccount },
      },
      config: { access: 'user' },
    },
    async (req) => points.account(req.params.merchantId, req.user!.sub),
  );
  app.post(
    '/api/growth/shop-items',
    {
      schema: {
        tags,
        security,
        summary: 'Add a points-shop item issuing a coupon of one of your lives',
        body: CreateShopItemBody,
        response: { 201: ShopItem },
      },
      config: { access: 'host-account' },
    },
    async (req, reply) => reply.code(201).send(await points.createItem(req.user!, req.body)),
  );
  app.get(
    '/api/merchants/:merchantId/shop-items',
    {
      schema: {
        tags,
        security,
        summary: "A merchant's points shop",
        params: MerchantParams,
        response: { 200: z.array(ShopItem) },
      },
      config: { access: 'user' },
    },
    async (req) => points.items(req.params.merchantId),
  );
  app.post(
    '/api/merchants/:merchantId/shop-items/:itemId/redemptions',
    {
      schema: {
        tags,
        security,
        summary: 'Spend points on an item (Idempotency-Key required): issues one claim of its coupon',
        params: ShopItemParams,
        headers: RedeemHeaders,
        response: { 200: Redemption, 201: Redemption },
      },
      config: { access: 'user' },
    },
    async (req, reply) => {
      const key = IdempotencyKey.safeParse(req.headers['idempotency-key']);
      if (!key.success)
        throw new AppError(
          'IDEMPOTENCY_KEY_REQUIRED',
          'an Idempotency-Key header (1-128 visible ASCII characters) is required',
        );
      const r = await points.redeem(req.user!, req.params.merchantId, req.params.itemId, key.data);
      return reply.code(r.replayed ? 200 : 201).send(r);
    },
  );
  app.post(
    '/api/growth/orders/:orderId/points-reversal',
    {
      schema: {
        tags,
        security,
        summary: "Take back a refunded order's purchase points (once)",
        params: OrderParams,
        response: { 200: ReversalResult },
      },
      config: { access: 'host-account' },
    },
    async (req) => points.reverseOrder(req.user!, req.params.orderId),
  );
}
