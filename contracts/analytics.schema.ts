/**
 * Cross-live analytics of a merchant, per live and per period, computed from the ledger (attendance, orders,
 * questions, commerce reports). Rates are 0–1 (0 when their denominator is 0); money in minor units.
 */
import { z } from 'zod';

const rate = z.number().min(0).max(1);

/** The figures of one live or one period. */
export const AnalyticsFigures = z.object({
  lives: z.number().int(),
  /** Distinct viewers (attendance rows of the live; distinct users over a period). */
  uniqueViewers: z.number().int(),
  /** Viewers who had attended an earlier live of the merchant (before the live; before the period). */
  returningViewers: z.number().int(),
  /** Viewers who first watched in it: the cohort the retention figures follow. */
  newViewers: z.number().int(),
  /** Share of new viewers who attended another live of the merchant within 1, 7, 30 days after their first. */
  retentionD1: rate,
  retentionD7: rate,
  retentionD30: rate,
  averageWatchMs: z.number(),
  /** Viewers who commented, liked or asked a question ÷ viewers. */
  interactionRate: rate,
  /** Viewers who clicked a product ÷ viewers it was shown to, summed over products (commerce reports). */
  ctr: rate,
  buyers: z.number().int(),
  orders: z.number().int(),
  /** Buyers ÷ viewers (a buyer who never joined the room, e.g. through a link, can push it past 1). */
  conversion: z.number().min(0),
  /** Paid totals after discounts, per currency. */
  gmv: z.record(z.string(), z.number().int()),
  /** Buyers who had bought in an earlier live of the merchant ÷ buyers. */
  repurchaseRate: rate,
  /** Average order total of viewers who interacted in that live, and of every other order. */
  aovInteracting: z.number(),
  aovOthers: z.number(),
  /** Viewers who joined through a share link. */
  shareJoins: z.number().int(),
});
export type AnalyticsFigures = z.infer<typeof AnalyticsFigures>;

export const LiveAnalytics = AnalyticsFigures.extend({
  liveId: z.string().uuid(),
  title: z.string(),
  endedAt: z.string(),
});
export type LiveAnalytics = z.infer<typeof LiveAnalytics>;

export const PeriodAnalytics = AnalyticsFigures.extend({
  /** First day of the period (UTC, YYYY-MM-DD). */
  period: z.string(),
});
export type PeriodAnalytics = z.infer<typeof PeriodAnalytics>;

export const AnalyticsGranularity = z.enum(['day', 'week', 'month']);
export const AnalyticsQuery = z
  .object({
    /** Lives that ended in [from, to) (ISO dates or times); default: the last 90 days. */
    from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
    to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
    by: AnalyticsGranularity.default('week'),
  })
  .strict();
export type AnalyticsQuery = z.infer<typeof AnalyticsQuery>;

export const MerchantAnalytics = z.object({
  merchantId: z.string(),
  from: z.string(),
  to: z.string(),
  by: AnalyticsGranularity,
  /** Ended lives, oldest first. */
  lives: z.array(LiveAnalytics),
  periods: z.array(PeriodAnalytics),
});
export type MerchantAnalytics = z.infer<typeof MerchantAnalytics>;
