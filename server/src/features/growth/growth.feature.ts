/**
 * Growth loop: points per merchant (rules, end-of-live awards from the raw events, the points shop issuing
 * real coupons, reversal of a refunded order's points). See README "Growth".
 */
import { defineFeature } from '../../composition/feature';
import { createGrowthRepo } from '../../ledger/growth.repo';
import { createPointsRepo } from '../../ledger/points.repo';
import { GROWTH_POINTS_STEP, growthPointsStep } from './points.jobs';
import { pointsRoutes } from './points.routes';
import { createPointsService, type PointsService } from './points.service';

declare module '../../composition/services' {
  interface Services {
    points: PointsService;
  }
}

export const growthFeature = defineFeature({
  name: 'growth',
  api(ctx) {
    const points = createPointsService({
      repo: createPointsRepo(ctx.db),
      growth: createGrowthRepo(ctx.db),
      coupons: ctx.use('coupons'),
    });
    pointsRoutes(ctx.app, { points });
    ctx.provide('points', points);
  },
  worker(ctx) {
    ctx.step(
      growthPointsStep({
        rerunAt: (liveId, endedAt, at) => ctx.rerunAt(GROWTH_POINTS_STEP, liveId, endedAt, at),
      }),
    );
  },
});
