/**
 * Growth loop: points per merchant (rules, end-of-live awards from the raw events, the points shop issuing
 * real coupons, reversal of a refunded order's points), fan levels, lifecycle segments (recompute job, lists,
 * CSV export, coupon audience), leaderboards and the crisis alert. See README "Growth".
 */
import {
  LeaderboardQuery,
  LiveLeaderboards,
  MerchantParams,
  ModerationAlert,
  PeriodLeaderboard,
} from '@lc/contracts/growth.schema';
import { LiveParams } from '@lc/contracts/live.schema';
import { z } from 'zod';
import { defineFeature } from '../../composition/feature';
import { crisisAlertsOf, insertCrisisAlert } from '../../ledger/crisis-alerts.repo';
import { createGrowthRepo } from '../../ledger/growth.repo';
import { createPointsRepo } from '../../ledger/points.repo';
import { roomName } from '../../realtime/types';
import { analyticsRoutes } from './analytics.routes';
import { type CrisisWatch, createCrisisWatch } from './crisis';
import { createFanLevels } from './fan-levels';
import { createFanTags } from './fan-tags';
import { createLeaderboards } from './leaderboards';
import { levelsRoutes } from './levels.routes';
import { GROWTH_POINTS_STEP, growthPointsStep } from './points.jobs';
import { pointsRoutes } from './points.routes';
import { createPointsService, type PointsService } from './points.service';
import { createSegments } from './segments';
import { createSegmentRuns, startSegmentsWorker } from './segments.jobs';
import { segmentsRoutes } from './segments.routes';

declare module '../../composition/services' {
  interface Services {
    points: PointsService;
    crisis: CrisisWatch;
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
    const runs = createSegmentRuns(ctx.infra.bull);
    ctx.onClose('growth-segments', () => runs.close());
    segmentsRoutes(ctx.app, { segments: createSegments({ db: ctx.db }), runs });
    analyticsRoutes(ctx.app, { db: ctx.db });
    const tags = createFanTags({ redis: ctx.redis, keys: ctx.keys });
    ctx.joinHooks.after('fan-level', ({ live, user }) => tags.joined(live.id, live.hostId, user.sub));
    ctx.onSocketLeave((socket, liveId) => tags.left(liveId, socket.data.user.sub));
    ctx.use('authorTags').register(tags.levelOf);
    const { config } = ctx;
    const crisis = createCrisisWatch({
      scripts: ctx.scripts,
      keys: ctx.keys,
      actions: ctx.actions,
      log: ctx.log,
      limits: {
        windowSec: config.CRISIS_WINDOW_SEC,
        ratio: config.CRISIS_RATIO,
        minNegative: config.CRISIS_MIN_NEGATIVE,
        terms: config.CRISIS_TERMS,
        tickMs: 1000,
      },
      record: (alert) => insertCrisisAlert(ctx.db, alert),
    });
    ctx.app.get(
      '/api/lives/:liveId/crisis-alerts',
      {
        schema: {
          tags: ['growth'],
          security: [{ bearer: [] }],
          summary: "The live's crisis alerts (audit log, oldest first)",
          params: LiveParams,
          response: { 200: z.array(ModerationAlert) },
        },
        config: { access: 'live-staff' },
      },
      async (req) => crisisAlertsOf(ctx.db, req.params.liveId),
    );
    const feed = ctx.use('commentFeed');
    feed.onCommentPublished((liveId, _user, text) => crisis.said(liveId, text));
    feed.onCommentModerated((liveId, text) => crisis.moderated(liveId, text));
    ctx.onStart('crisis', () => {
      crisis.start();
      return () => crisis.close();
    });
    const boards = createLeaderboards({ redis: ctx.redis, keys: ctx.keys, db: ctx.db });
    ctx.roomTicker('live-leaderboard', {
      intervalMs: 1000,
      read: (ids) => boards.live(ids),
      emit: (io, liveId, likes) => io.local.to(roomName(liveId)).emit('leaderboard:live', { liveId, likes }),
    });
    ctx.app.get(
      '/api/lives/:liveId/leaderboards',
      {
        schema: {
          tags: ['growth'],
          security: [{ bearer: [] }],
          summary:
            "A live's top 10 by likes, comments, spend and shares from the ledger (`final` once the live's growth step ran)",
          params: LiveParams,
          response: { 200: LiveLeaderboards },
        },
        config: { access: 'user' },
      },
      async (req) => boards.final(req.params.liveId),
    );
    ctx.app.get(
      '/api/merchants/:merchantId/leaderboard',
      {
        schema: {
          tags: ['growth'],
          security: [{ bearer: [] }],
          summary: "A merchant's fans by points earned this week, month or all time (top 10)",
          params: MerchantParams,
          querystring: LeaderboardQuery,
          response: { 200: PeriodLeaderboard },
        },
        config: { access: 'user' },
      },
      async (req) => boards.period(req.params.merchantId, req.query.period),
    );
    ctx.provide('points', points);
    ctx.provide('crisis', crisis);
  },
  async worker(ctx) {
    const { db } = ctx.infra;
    const segments = await startSegmentsWorker({
      ...ctx.infra.bull,
      db,
      segments: createSegments({ db }),
      everyMs: ctx.config.SEGMENTS_RECOMPUTE_EVERY_MS,
      log: ctx.log,
    });
    ctx.onClose('growth-segments', () => segments.close());
    ctx.step(
      growthPointsStep({
        levels: ({ db, redis, keys }) => createFanLevels({ db, redis, keys }),
        segments: ({ db }) => createSegments({ db }),
        rerunAt: (liveId, endedAt, at) => ctx.rerunAt(GROWTH_POINTS_STEP, liveId, endedAt, at),
      }),
    );
  },
});
