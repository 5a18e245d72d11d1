/** REST: fan-level thresholds, on-demand recompute, fan lists (merchant) and a fan's own level and badges. */
import {
  FanLevel,
  FanLevelRules,
  FanStatus,
  MerchantParams,
  RecomputeResult,
} from '@lc/contracts/growth.schema';
import { z } from 'zod';
import type { App } from '../../http/fastify';
import type { FanLevels } from './fan-levels';

const FanRow = z.object({
  userId: z.string(),
  level: FanLevel,
  points: z.number().int(),
  lives: z.number().int(),
  orders: z.number().int(),
  spend: z.number().int(),
});

export function levelsRoutes(app: App, deps: { levels: FanLevels }) {
  const tags = ['growth'];
  const security = [{ bearer: [] }];
  const { levels } = deps;
  app.get(
    '/api/growth/levels/rules',
    {
      schema: { tags, security, summary: 'Your fan-level thresholds', response: { 200: FanLevelRules } },
      config: { access: 'host-account' },
    },
    async (req) => levels.repo.rules(req.user!.sub),
  );
  app.put(
    '/api/growth/levels/rules',
    {
      schema: {
        tags,
        security,
        summary: 'Set your fan-level thresholds (unknown field or negative value: VALIDATION)',
        body: FanLevelRules,
        response: { 200: FanLevelRules },
      },
      config: { access: 'host-account' },
    },
    async (req) => {
      await levels.repo.setRules(req.user!.sub, req.body);
      return req.body;
    },
  );
  app.post(
    '/api/growth/levels/recompute',
    {
      schema: {
        tags,
        security,
        summary: 'Recompute your fans’ levels and badges now',
        response: { 200: RecomputeResult },
      },
      config: { access: 'host-account' },
    },
    async (req) => levels.recompute(req.user!.sub),
  );
  app.get(
    '/api/growth/fans',
    {
      schema: {
        tags,
        security,
        summary: 'Your fans by spend (optionally of one level), at most 500',
        querystring: z.object({ level: FanLevel.optional() }),
        response: { 200: z.array(FanRow) },
      },
      config: { access: 'host-account' },
    },
    async (req) => levels.repo.fans(req.user!.sub, req.query.level),
  );
  app.get(
    '/api/merchants/:merchantId/fan',
    {
      schema: {
        tags,
        security,
        summary: "The caller's fan level and badges with a merchant",
        params: MerchantParams,
        response: { 200: FanStatus },
      },
      config: { access: 'user' },
    },
    async (req) => levels.repo.status(req.params.merchantId, req.user!.sub),
  );
}
