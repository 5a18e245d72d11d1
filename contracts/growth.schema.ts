/**
 * Growth loop wire shapes: the points rules a merchant (a host account) sets, points balances and ledger
 * entries, and the points shop (items that issue a real coupon of one of the merchant's lives).
 */
import { z } from 'zod';
import { plainText } from './text';

const Uuid = z.string().uuid();
const points = (max: number) => z.number().int().min(0).max(max);

/**
 * Points rules of one merchant. Unknown rule names are refused (`VALIDATION`, details name the key), negative
 * values too. Every award is computed after the live ends from the raw events (see README "Growth").
 */
export const PointsRules = z
  .object({
    /** Points per full minute watched in a live, counted up to `watchMaxMinutes` per live. */
    watchPerMinute: points(1000).default(1),
    watchMaxMinutes: points(24 * 60).default(120),
    /** Points per published comment, up to `commentMaxPerLive` comments per live. */
    comment: points(1000).default(2),
    commentMaxPerLive: points(10_000).default(20),
    /** One point per `likesPerPoint` taps counted, up to `likeMaxPointsPerLive` points per live (0 = no like points). */
    likesPerPoint: points(100_000).default(10),
    likeMaxPointsPerLive: points(100_000).default(50),
    /** Points per viewer who joined through the user's share link (first attribution only). */
    shareJoin: points(10_000).default(10),
    /** Once per merchant: following the host. */
    follow: points(10_000).default(20),
    /** Points per whole major currency unit (yuan) of a paid order's total; a refund reverses them. */
    purchasePerYuan: points(1000).default(1),
    /** Points per lottery entered (drawn lotteries). */
    lotteryEntry: points(10_000).default(5),
  })
  .strict();
export type PointsRules = z.infer<typeof PointsRules>;
export const DEFAULT_POINTS_RULES: PointsRules = PointsRules.parse({});

/** What an award row was for. `spend` and `reversal` are the two kinds of negative rows. */
export const POINTS_KINDS = [
  'watch',
  'comment',
  'like',
  'share',
  'follow',
  'purchase',
  'lottery',
  'spend',
  'reversal',
] as const;
export const PointsKind = z.enum(POINTS_KINDS);
export type PointsKind = z.infer<typeof PointsKind>;

export const PointsEntry = z.object({
  id: z.string(),
  kind: PointsKind,
  /** The event that caused it: `live:<id>`, `order:<id>`, `lottery:<id>`, `follow`, `spend:<id>`, `reverse:<source>`. */
  source: z.string(),
  liveId: z.string().nullable(),
  /** The raw measure the rule was applied to (minutes, comments, taps, joins, minor units, 1). */
  quantity: z.number().int(),
  delta: z.number().int(),
  at: z.string(),
});
export type PointsEntry = z.infer<typeof PointsEntry>;

export const PointsAccount = z.object({
  merchantId: z.string(),
  userId: z.string(),
  balance: z.number().int().nonnegative(),
  entries: z.array(PointsEntry),
});
export type PointsAccount = z.infer<typeof PointsAccount>;

export const MerchantParams = z.object({ merchantId: z.string().min(1).max(64) });
export const OrderParams = z.object({ orderId: Uuid });

// ── Points shop ───────────────────────────────────────────────────────────────────────────────────────────

export const CreateShopItemBody = z
  .object({
    title: plainText(80),
    /** Points one redemption costs. */
    cost: z.number().int().min(1).max(10_000_000),
    /** The coupon it issues: a coupon of one of the merchant's own lives. */
    liveId: Uuid,
    couponId: Uuid,
  })
  .strict();
export type CreateShopItemBody = z.infer<typeof CreateShopItemBody>;

export const ShopItem = z.object({
  id: Uuid,
  merchantId: z.string(),
  title: z.string(),
  cost: z.number().int(),
  liveId: Uuid,
  couponId: Uuid,
});
export type ShopItem = z.infer<typeof ShopItem>;
export const ShopItemParams = z.object({ merchantId: z.string().min(1).max(64), itemId: Uuid });

export const Redemption = z.object({
  /** The `spend` row of the points ledger. */
  entryId: z.string(),
  itemId: Uuid,
  couponId: Uuid,
  liveId: Uuid,
  claimNo: z.number().int().positive(),
  cost: z.number().int(),
  balance: z.number().int().nonnegative(),
  /** The same Idempotency-Key again: the first redemption's outcome, nothing spent. */
  replayed: z.boolean(),
});
export type Redemption = z.infer<typeof Redemption>;

export const ReversalResult = z.object({
  orderId: Uuid,
  userId: z.string(),
  /** Points taken back (≤ what the order awarded: a balance already spent is not driven negative). */
  reversed: z.number().int().nonnegative(),
  /** Awarded points the balance no longer held. */
  shortfall: z.number().int().nonnegative(),
});
export type ReversalResult = z.infer<typeof ReversalResult>;

// ── Fan levels and badges ─────────────────────────────────────────────────────────────────────────────────

/** 普通 / 活跃 / 忠诚 / 高价值. */
export const FAN_LEVELS = ['normal', 'active', 'loyal', 'high_value'] as const;
export const FanLevel = z.enum(FAN_LEVELS);
export type FanLevel = z.infer<typeof FanLevel>;

/** A tier is reached when every minimum is met: points over the window, lives attended, orders, spend (minor units). */
const Tier = z
  .object({
    points: z.number().int().min(0).max(1e12).default(0),
    lives: z.number().int().min(0).max(100_000).default(0),
    orders: z.number().int().min(0).max(1_000_000).default(0),
    spend: z.number().int().min(0).max(1e13).default(0),
  })
  .strict();
export type Tier = z.infer<typeof Tier>;

/**
 * Fan-level thresholds of a merchant; a fan holds the highest tier whose minimums all hold. Defaults: active
 * after 2 lives; loyal after 3 lives and 2 orders; high-value after 3 lives, 5 orders and 2,000.00 spent.
 */
export const FanLevelRules = z
  .object({
    /** Days of points counted ("points over a rolling window"). */
    windowDays: z.number().int().min(1).max(3650).default(90),
    active: Tier.default({ points: 0, lives: 2, orders: 0, spend: 0 }),
    loyal: Tier.default({ points: 0, lives: 3, orders: 2, spend: 0 }),
    highValue: Tier.default({ points: 0, lives: 3, orders: 5, spend: 200_000 }),
  })
  .strict();
export type FanLevelRules = z.infer<typeof FanLevelRules>;
export const DEFAULT_FAN_LEVEL_RULES: FanLevelRules = FanLevelRules.parse({});

export const BADGES = [
  'first_purchase',
  'lives_3',
  'lives_10',
  'top_liker',
  'lottery_winner',
  'question_answered',
] as const;
export const Badge = z.enum(BADGES);
export type Badge = z.infer<typeof Badge>;

export const FanStatus = z.object({
  merchantId: z.string(),
  userId: z.string(),
  level: FanLevel,
  points: z.number().int(),
  lives: z.number().int(),
  orders: z.number().int(),
  spend: z.number().int(),
  badges: z.array(z.object({ badge: Badge, source: z.string() })),
});
export type FanStatus = z.infer<typeof FanStatus>;

export const RecomputeResult = z.object({
  fans: z.number().int(),
  byLevel: z.record(z.string(), z.number().int()),
  badges: z.number().int(),
  ms: z.number(),
});
export type RecomputeResult = z.infer<typeof RecomputeResult>;

// ── Crisis alert ──────────────────────────────────────────────────────────────────────────────────────────

/** To the host and moderators, once per episode: negative comments passed the threshold over the window. */
export const ModerationAlert = z.object({
  liveId: z.string(),
  kind: z.literal('negative-comments'),
  /** Negative comments (lexicon matches, held or blocked) and all comments in the window. */
  negative: z.number().int(),
  total: z.number().int(),
  windowSec: z.number().int(),
  ratio: z.number(),
  /** Recent negative comments, newest first (plain text: render with textContent). */
  samples: z.array(z.string()),
  at: z.number().int(),
});
export type ModerationAlert = z.infer<typeof ModerationAlert>;

// ── Leaderboards ──────────────────────────────────────────────────────────────────────────────────────────

export const LeaderboardEntry = z.object({ userId: z.string(), value: z.number() });
export type LeaderboardEntry = z.infer<typeof LeaderboardEntry>;
export const LEADERBOARD_SIZE = 10;

/** `leaderboard:live`: the live's top likers so far (at most every second, only when changed). */
export const LiveLeaderboard = z.object({ liveId: z.string(), likes: z.array(LeaderboardEntry) });
export type LiveLeaderboard = z.infer<typeof LiveLeaderboard>;

export const LeaderboardPeriod = z.enum(['week', 'month', 'all']);
export const LeaderboardQuery = z.object({ period: LeaderboardPeriod.default('week') }).strict();
/** A merchant's fans ranked by points earned (awards net of reversals; spends not counted) in the period. */
export const PeriodLeaderboard = z.object({
  merchantId: z.string(),
  period: LeaderboardPeriod,
  since: z.string().nullable(),
  entries: z.array(LeaderboardEntry),
});
export type PeriodLeaderboard = z.infer<typeof PeriodLeaderboard>;

/**
 * A live's boards from the ledger (exact once the live's growth step ran: `final`): likes and comments from its
 * attendance, spend from its paid orders (minor units), shares from the viewers each sharer brought (the
 * `share` awards; none when the merchant's `shareJoin` rule is 0).
 */
export const LiveLeaderboards = z.object({
  liveId: z.string(),
  final: z.boolean(),
  likes: z.array(LeaderboardEntry),
  comments: z.array(LeaderboardEntry),
  spend: z.array(LeaderboardEntry),
  shares: z.array(LeaderboardEntry),
});
export type LiveLeaderboards = z.infer<typeof LiveLeaderboards>;
