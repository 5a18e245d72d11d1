/** Product REST: the host manages the live's products; anyone with a token lists them; host sees CTR. */

import {
  PinProductBody,
  Product,
  ProductParams,
  ProductStats,
  productBody,
  productPatch,
} from '@lc/contracts/commerce.schema';
import { LiveParams } from '@lc/contracts/live.schema';
import type { UrlRules } from '@lc/contracts/url';
import { z } from 'zod';
import { BEARER_SECURITY } from '../../../http/docs';
import type { App } from '../../../http/fastify';
import type { ProductsService } from './products.service';

export function productsRoutes(
  app: App,
  deps: {
    products: ProductsService;
    /** Image URL rules (`http:` allowed outside production). */
    urls: UrlRules;
  },
) {
  const tags = ['commerce'];
  const security = BEARER_SECURITY;
  const { products } = deps;
  const ProductBody = productBody(deps.urls);
  const ProductPatch = productPatch(deps.urls);
  app.post(
    '/api/lives/:liveId/products',
    {
      schema: {
        tags,
        security,
        summary: 'Add a product (host of this live)',
        params: LiveParams,
        body: ProductBody,
        response: { 201: Product },
      },
      config: { access: 'live-host' },
    },
    async (req, reply) => reply.code(201).send(await products.create(req.user!, req.params.liveId, req.body)),
  );
  app.get(
    '/api/lives/:liveId/products',
    {
      schema: {
        tags,
        security,
        summary: 'Products of the live',
        params: LiveParams,
        response: { 200: z.object({ products: z.array(Product), pinnedProductId: z.string().nullable() }) },
      },
      config: { access: 'user' },
    },
    async (req) => ({
      products: await products.list(req.params.liveId),
      pinnedProductId: await products.pinned(req.params.liveId),
    }),
  );
  app.patch(
    '/api/lives/:liveId/products/:productId',
    {
      schema: {
        tags,
        security,
        summary: 'Change a product (host); stock cannot drop below units promised to sales',
        params: ProductParams,
        body: ProductPatch,
        response: { 200: Product },
      },
      config: { access: 'live-host' },
    },
    async (req) => products.update(req.user!, req.params.liveId, req.params.productId, req.body),
  );
  app.delete(
    '/api/lives/:liveId/products/:productId',
    {
      schema: {
        tags,
        security,
        summary: 'Remove a product without sales (host)',
        params: ProductParams,
        response: { 200: z.object({ removed: z.literal(true) }) },
      },
      config: { access: 'live-host' },
    },
    async (req) => {
      await products.remove(req.user!, req.params.liveId, req.params.productId);
      return { removed: true as const };
    },
  );
  app.put(
    '/api/lives/:liveId/pinned-product',
    {
      schema: {
        tags,
        security,
        summary: 'Pin a product as "now explaining" (null unpins); a `product:pinned` room event',
        params: LiveParams,
        body: PinProductBody,
        response: { 200: z.object({ seq: z.number().int() }) },
      },
      config: { access: 'live-host' },
    },
    async (req) => products.pin(req.user!, req.params.liveId, req.body.productId),
  );
  app.get(
    '/api/lives/:liveId/products/stats',
    {
      schema: {
        tags,
        security,
        summary: 'Impressions, clicks and click-through rate per product (host, moderators)',
        params: LiveParams,
        response: { 200: z.object({ products: z.array(ProductStats) }) },
      },
      config: { access: 'live-staff' },
    },
    async (req) => ({ products: await products.stats(req.params.liveId) }),
  );
}
