/**
 * Growth loop: points per merchant (rules, end-of-live awards from the raw events, the points shop issuing
 * real coupons, reversal of a refunded order's points). See README "Growth".
 */
import { defineFeature } from '../../composition/feature';
import { createGrowthRepo } from '../../ledger/growth.repo';
import { createPointsRepo } from '../../ledger/points.repo';
import { createFanLevels } from './fan-levels';
import { createFanTags } from './fan-tags';
import { levelsRoutes } from './levels.routes';
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
    const levels = createFanLevels({ db: ctx.db, redis: ctx.redis, keys: ctx.keys });
    levelsRoutes(ctx.app, { levels });
    const tags = createFanTags({ redis: ctx.redis, keys: ctx.keys });
    ctx.joinHooks.after('fan-level', ({ live, user }) => tags.joined(live.id, live.hostId, user.sub));
    ctx.onSocketLeave((socket, liveId) => tags.left(liveId, socket.data.user.sub));
    ctx.use('authorTags').register(tags.levelOf);
    ctx.provide('points', points);
  },
  worker(ctx) {
    ctx.step(
      growthPointsStep({
        levels: ({ db, redis, keys }) => createFanLevels({ db, redis, keys }),
        rerunAt: (liveId, endedAt, at) => ctx.rerunAt(GROWTH_POINTS_STEP, liveId, endedAt, at),
      }),
    );
  },
});
