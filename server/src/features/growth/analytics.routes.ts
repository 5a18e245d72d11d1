/** REST: the calling merchant's cross-live analytics, per live and per period (see analytics.repo.ts). */
import { AnalyticsQuery, MerchantAnalytics } from '@lc/contracts/analytics.schema';
import { AppError } from '@lc/contracts/errors';
import type { App } from '../../http/fastify';
import { createAnalyticsRepo, emptyFigures } from '../../ledger/analytics.repo';
import type { Db } from '../../ledger/db';

const DAY = 86_400_000;
/** At most this span per request: the figures are aggregated on every call. */
const MAX_SPAN_DAYS = 731;

export function analyticsRoutes(app: App, deps: { db: Db; now?: () => number }) {
  const repo = createAnalyticsRepo(deps.db);
  const now = deps.now ?? Date.now;
  app.get(
    '/api/growth/analytics',
    {
      schema: {
        tags: ['growth'],
        security: [{ bearer: [] }],
        summary: 'Your figures across lives: per ended live and per day, week or month (UTC)',
        querystring: AnalyticsQuery,
        response: { 200: MerchantAnalytics },
      },
      config: { access: 'host-account' },
    },
    async (req): Promise<MerchantAnalytics> => {
      const merchantId = req.user!.sub;
      const to = req.query.to ? new Date(req.query.to) : new Date(now());
      const from = req.query.from ? new Date(req.query.from) : new Date(to.getTime() - 90 * DAY);
      if (!(from < to) || to.getTime() - from.getTime() > MAX_SPAN_DAYS * DAY)
        throw new AppError('VALIDATION', `from must be before to, at most ${MAX_SPAN_DAYS} days apart`, {
          field: 'from',
        });
      const [lives, perLive, perPeriod] = await Promise.all([
        repo.lives(merchantId, from, to),
        repo.figures(merchantId, from, to, { kind: 'live' }),
        repo.figures(merchantId, from, to, { kind: 'period', unit: req.query.by }),
      ]);
      return {
        merchantId,
        from: from.toISOString(),
        to: to.toISOString(),
        by: req.query.by,
        lives: lives.map((l) => ({
          liveId: l.id,
          title: l.title,
          endedAt: l.ended_at.toISOString(),
          ...(perLive.get(l.id) ?? emptyFigures()),
        })),
        periods: [...perPeriod.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([period, f]) => ({ period, ...f })),
      };
    },
  );
}
