/**
 * Lifecycle segments of a merchant's fans (new / active / dormant / churned — 新客 / 活跃 / 沉睡 / 流失):
 * thresholds, the recompute run with its progress, paged lists and CSV export, and a segment as the audience
 * of a coupon (issued once per user).
 */
import { z } from 'zod';

const Uuid = z.string().uuid();
const days = z.number().int().min(1).max(3650);

export const SEGMENTS = ['new', 'active', 'dormant', 'churned'] as const;
export const Segment = z.enum(SEGMENTS);
export type Segment = z.infer<typeof Segment>;

/**
 * Days since a fan's first / last activity (a live attended or an order placed). A fan is `new` while its
 * first activity is at most `newDays` old, else `active` while its last is at most `activeDays` old, else
 * `dormant` up to `churnedDays`, then `churned`. Requires newDays ≤ activeDays < churnedDays.
 */
export const SegmentRules = z
  .object({
    newDays: days.default(7),
    activeDays: days.default(30),
    churnedDays: days.default(90),
  })
  .strict()
  .refine((r) => r.newDays <= r.activeDays, { path: ['newDays'], message: 'newDays must be ≤ activeDays' })
  .refine((r) => r.activeDays < r.churnedDays, {
    path: ['churnedDays'],
    message: 'churnedDays must be > activeDays',
  });
export type SegmentRules = z.infer<typeof SegmentRules>;
export const DEFAULT_SEGMENT_RULES: SegmentRules = SegmentRules.parse({});

export const SegmentCounts = z.object({
  new: z.number().int(),
  active: z.number().int(),
  dormant: z.number().int(),
  churned: z.number().int(),
});
export type SegmentCounts = z.infer<typeof SegmentCounts>;

export const SegmentsSummary = z.object({
  merchantId: z.string(),
  counts: SegmentCounts,
  /** When the segments were last recomputed (null: never). */
  computedAt: z.string().nullable(),
});
export type SegmentsSummary = z.infer<typeof SegmentsSummary>;

export const SegmentRecomputeResult = z.object({
  fans: z.number().int(),
  counts: SegmentCounts,
  computedAt: z.string(),
  ms: z.number(),
});
export type SegmentRecomputeResult = z.infer<typeof SegmentRecomputeResult>;

/** A recompute run requested over REST (a BullMQ job): poll it by id. */
export const SegmentRun = z.object({
  runId: Uuid,
  state: z.enum(['waiting', 'active', 'completed', 'failed', 'delayed', 'unknown']),
  /** 0–100 and the phase the job is in. */
  progress: z.object({ pct: z.number().int().min(0).max(100), phase: z.string() }),
  result: SegmentRecomputeResult.nullable(),
  error: z.string().nullable(),
});
export type SegmentRun = z.infer<typeof SegmentRun>;
export const SegmentRunParams = z.object({ runId: Uuid });

export const SegmentParams = z.object({ segment: Segment });
export const SegmentPageQuery = z
  .object({
    /** The last userId of the previous page (keyset paging, user ids ascending). */
    after: z.string().max(64).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

export const SegmentMember = z.object({
  userId: z.string(),
  displayName: z.string().nullable(),
  segment: Segment,
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  lastAttendedAt: z.string().nullable(),
  lastBoughtAt: z.string().nullable(),
  lives: z.number().int(),
  orders: z.number().int(),
  spend: z.number().int(),
});
export type SegmentMember = z.infer<typeof SegmentMember>;

export const SegmentPage = z.object({
  segment: Segment,
  items: z.array(SegmentMember),
  /** Pass as `after` for the next page; null on the last page. */
  next: z.string().nullable(),
});
export type SegmentPage = z.infer<typeof SegmentPage>;

/** The CSV export's header row, in this order (stable: tools may rely on it). */
export const SEGMENT_CSV_COLUMNS = [
  'user_id',
  'display_name',
  'segment',
  'first_seen_at',
  'last_seen_at',
  'last_attended_at',
  'last_bought_at',
  'lives',
  'orders',
  'spend',
] as const;

export const SegmentCouponBody = z.object({ couponId: Uuid }).strict();
/** Issuing a coupon to a segment: `granted` users got a claim now; the rest of the audience already had one from this coupon through a segment. */
export const SegmentCouponResult = z.object({
  couponId: Uuid,
  segment: Segment,
  audience: z.number().int(),
  granted: z.number().int(),
  alreadyGranted: z.number().int(),
});
export type SegmentCouponResult = z.infer<typeof SegmentCouponResult>;
