/** REST: lifecycle segments of the calling merchant — thresholds, recompute runs, pages, CSV export, coupon grants. */
import { AppError } from '@lc/contracts/errors';
import {
  SegmentCouponBody,
  SegmentCouponResult,
  SegmentPage,
  SegmentPageQuery,
  SegmentParams,
  SegmentRules,
  SegmentRun,
  SegmentRunParams,
  SegmentsSummary,
} from '@lc/contracts/segments.schema';
import { z } from 'zod';
import type { App } from '../../http/fastify';
import type { Segments } from './segments';
import type { createSegmentRuns } from './segments.jobs';

export function segmentsRoutes(
  app: App,
  deps: { segments: Segments; runs: Pick<ReturnType<typeof createSegmentRuns>, 'request' | 'get'> },
) {
  const tags = ['growth'];
  const security = [{ bearer: [] }];
  const config = { access: 'host-account' } as const;
  const { segments, runs } = deps;
  app.get(
    '/api/growth/segments',
    {
      schema: {
        tags,
        security,
        summary: 'Your fans per lifecycle segment',
        response: { 200: SegmentsSummary },
      },
      config,
    },
    async (req) => ({ merchantId: req.user!.sub, ...(await segments.repo.counts(req.user!.sub)) }),
  );
  app.get(
    '/api/growth/segments/rules',
    {
      schema: { tags, security, summary: 'Your segment thresholds', response: { 200: SegmentRules } },
      config,
    },
    async (req) => segments.repo.rules(req.user!.sub),
  );
  app.put(
    '/api/growth/segments/rules',
    {
      schema: {
        tags,
        security,
        summary: 'Set your segment thresholds (unknown field, out of range or out of order: VALIDATION)',
        body: SegmentRules,
        response: { 200: SegmentRules },
      },
      config,
    },
    async (req) => {
      await segments.repo.setRules(req.user!.sub, req.body);
      return req.body;
    },
  );
  app.post(
    '/api/growth/segments/recompute',
    {
      schema: {
        tags,
        security,
        summary: 'Recompute your segments now (a job: poll its progress at /api/growth/segments/runs/:runId)',
        response: { 202: z.object({ runId: z.string().uuid() }) },
      },
      config,
    },
    async (req, reply) => reply.code(202).send({ runId: await runs.request(req.user!.sub) }),
  );
  app.get(
    '/api/growth/segments/runs/:runId',
    {
      schema: {
        tags,
        security,
        summary: 'A recompute run: state, progress, result',
        params: SegmentRunParams,
        response: { 200: SegmentRun },
      },
      config,
    },
    async (req) => {
      const run = await runs.get(req.user!.sub, req.params.runId);
      if (!run) throw new AppError('NOT_FOUND', 'no such run of yours');
      return run;
    },
  );
  app.get(
    '/api/growth/segments/:segment',
    {
      schema: {
        tags,
        security,
        summary: 'One page of a segment (user ids ascending; pass `next` as `after`)',
        params: SegmentParams,
        querystring: SegmentPageQuery,
        response: { 200: SegmentPage },
      },
      config,
    },
    async (req) => segments.page(req.user!.sub, req.params.segment, req.query.after ?? '', req.query.limit),
  );
  app.get(
    '/api/growth/segments/:segment/export.csv',
    {
      schema: {
        tags,
        security,
        summary: 'A whole segment as CSV (streamed, UTF-8 with BOM)',
        params: SegmentParams,
      },
      config,
    },
    async (req, reply) => {
      const { segment } = req.params;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="segment-${segment}.csv"`)
        .header('cache-control', 'no-store')
        .send(segments.exportCsv(req.user!.sub, segment));
    },
  );
  app.post(
    '/api/growth/segments/:segment/coupon-grants',
    {
      schema: {
        tags,
        security,
        summary:
          "Issue one of your coupons to a segment's members, once per user (retries issue nothing twice)",
        params: SegmentParams,
        body: SegmentCouponBody,
        response: { 200: SegmentCouponResult },
      },
      config,
    },
    async (req) => segments.grantCoupon(req.user!.sub, req.params.segment, req.body.couponId),
  );
}
