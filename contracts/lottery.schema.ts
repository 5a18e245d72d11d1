/**
 * Lotteries: the host creates one with a prize, K winners, an entry window and rules that all must hold;
 * viewers enter (explicitly or by the keyword comment); the draw is verifiable from the published audit.
 */
import { z } from 'zod';
import { plainText } from './text';

const liveId = z.string().uuid();

export const LotteryPrize = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('coupon'), couponId: z.string().min(1).max(64) }),
  /** A product of this live given at zero price. */
  z.object({ kind: z.literal('product'), productId: z.string().min(1).max(64) }),
]);
export type LotteryPrize = z.infer<typeof LotteryPrize>;

/** Every rule that is set must hold (AND). */
export const LotteryRules = z.object({
  /** Entry only by posting a comment containing this keyword (口令) during the window. */
  keyword: plainText(40).optional(),
  followsHost: z.boolean().default(false),
  /** Watched at least N minutes of this live (time accrues only while connected). */
  minWatchMinutes: z.number().int().min(1).max(600).optional(),
  boughtInLive: z.boolean().default(false),
  /** Connected to the room when the draw runs (re-checked at the draw). */
  presentAtDraw: z.boolean().default(false),
  /** The host and moderators can't enter. */
  excludeStaff: z.boolean().default(true),
});
export type LotteryRules = z.infer<typeof LotteryRules>;
/** The rules as sent back (plain strings: output schemas can't carry the input's normalising transforms). */
export const LotteryRulesView = LotteryRules.extend({ keyword: z.string().optional() });

export const LotteryCreatePayload = z.object({
  liveId,
  title: plainText(120),
  prize: LotteryPrize,
  winners: z.number().int().min(1).max(1000),
  /** Runners-up kept in order for forfeited prizes; defaults to `winners`. */
  runnersUp: z.number().int().min(0).max(1000).optional(),
  durationSec: z
    .number()
    .int()
    .min(5)
    .max(24 * 3600),
  rules: LotteryRules.default({
    followsHost: false,
    boughtInLive: false,
    presentAtDraw: false,
    excludeStaff: true,
  }),
});
export type LotteryCreatePayload = z.input<typeof LotteryCreatePayload>;

export const LotteryRefPayload = z.object({ liveId, lotteryId: z.string().uuid() });
export type LotteryRefPayload = z.infer<typeof LotteryRefPayload>;

export const Lottery = z.object({
  id: z.string(),
  title: z.string(),
  prize: LotteryPrize,
  winners: z.number().int(),
  runnersUp: z.number().int(),
  rules: LotteryRulesView,
  /** sha256(seed) in hex, published at creation. */
  commitment: z.string(),
  /** Server epoch ms. */
  opensAt: z.number().int(),
  closesAt: z.number().int(),
  status: z.enum(['open', 'drawing', 'drawn']),
  entrants: z.number().int().nonnegative(),
  /** Set once drawn. */
  result: z
    .object({
      entrantsHash: z.string(),
      winners: z.array(z.string()),
      runnersUp: z.array(z.string()),
      seed: z.string(),
      drawnAt: z.number().int(),
    })
    .nullable(),
});
export type Lottery = z.infer<typeof Lottery>;

export const LotterySnapshot = z.object({
  lottery: Lottery.nullable(),
  /** The user's own status in it. */
  me: z.enum(['none', 'entered', 'won', 'runner-up', 'lost']),
});
export type LotterySnapshot = z.infer<typeof LotterySnapshot>;

/** Every input of a draw; `verifyAudit` recomputes the winners from it. */
export const LotteryAudit = z.object({
  lotteryId: z.string(),
  liveId: z.string(),
  algorithm: z.literal('hmac-sha256-min-k/v1'),
  rules: LotteryRulesView,
  prize: LotteryPrize,
  commitment: z.string(),
  seed: z.string(),
  /** Frozen entrants in canonical order (unique, sorted by UTF-16 code unit). */
  entrants: z.array(z.string()),
  entrantsHash: z.string(),
  k: z.number().int().min(1),
  runnersUpCount: z.number().int().min(0),
  winners: z.array(z.string()),
  runnersUp: z.array(z.string()),
  drawnAt: z.number().int(),
});
export type LotteryAudit = z.infer<typeof LotteryAudit>;

/** A winner's shipping address, given when claiming a prize before its deadline. */
export const PrizeClaimBody = z.object({
  name: plainText(80),
  phone: plainText(32, { min: 3 }),
  /** Line breaks kept (a postal address has lines). */
  address: plainText(300, { multiline: true }),
});
export type PrizeClaimBody = z.infer<typeof PrizeClaimBody>;

/** Socket form of the claim (`lottery:claim`): same rules and codes as the REST route. */
export const LotteryClaimPayload = LotteryRefPayload.extend({ shipping: PrizeClaimBody });
export type LotteryClaimPayload = z.infer<typeof LotteryClaimPayload>;

/**
 * A prize offered to a user (one winner slot, one attempt). It becomes real (a coupon claim or a zero-price
 * prize order) only when claimed: `issued` is set then, and never for a forfeited offer.
 */
export const MyPrize = z.object({
  liveId: z.string(),
  lotteryId: z.string(),
  title: z.string(),
  slot: z.number().int(),
  attempt: z.number().int(),
  prize: LotteryPrize,
  status: z.enum(['awarded', 'claimed', 'forfeited']),
  /** Server epoch ms. */
  claimDeadline: z.number().int(),
  claimedAt: z.number().int().nullable(),
  issued: z.object({ couponClaimNo: z.number().int().nullable(), orderId: z.string().nullable() }).nullable(),
});
export type MyPrize = z.infer<typeof MyPrize>;

export const LOTTERY_EVENT = {
  created: 'lottery:created',
  drawn: 'lottery:drawn',
} as const;
