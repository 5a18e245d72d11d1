/**
 * Commerce wire shapes (products, flash sales, reservations, payments, coupons, orders, report) shared by the
 * server, the client and the load tests. Money is an integer in minor units (cents, fen) with an ISO 4217 code;
 * every deadline is epoch milliseconds on the server clock (the snapshot's `serverTime` gives the offset).
 */
import { z } from 'zod';
import { FanLevel } from './growth.schema';
import { plainText } from './text';
import type { UrlRules } from './url';
import { userUrl } from './url.schema';

export const Uuid = z.string().uuid();
export const Currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as CNY');
/** Minor units. NOTE: capped so price × quantity stays exact in Lua (cjson keeps 14 significant digits). */
export const MinorAmount = z.number().int().min(0).max(10_000_000_000);
export const MAX_QUANTITY = 100;

/**
 * `Idempotency-Key` header: 1–128 visible ASCII characters. Scoped to the caller: one key names one attempt
 * (reserve or pay); the same key with another request is refused with IDEMPOTENCY_MISMATCH.
 */
export const IdempotencyKey = z.string().regex(/^[\x21-\x7e]{1,128}$/, '1-128 visible ASCII characters');

// ── Products ──────────────────────────────────────────────────────────────────────────────────────────────

/** `rules.allowHttp`: also accept `http:` image URLs (development); production takes `https:` only. */
const productFields = (rules: UrlRules) => ({
  title: plainText(120),
  imageUrl: userUrl(rules).nullable(),
  price: MinorAmount,
  currency: Currency,
  stock: z.number().int().min(0).max(1_000_000),
  /** Units one buyer may hold over every sale of this product; 0 = no limit. */
  perUserLimit: z.number().int().min(0).max(MAX_QUANTITY),
});
export const productBody = (rules: UrlRules = {}) => {
  const fields = productFields(rules);
  return z.object({
    ...fields,
    imageUrl: fields.imageUrl.default(null),
    perUserLimit: fields.perUserLimit.default(0),
  });
};
export const ProductBody = productBody();
export type ProductBody = z.infer<typeof ProductBody>;
/** PATCH: any subset of the fields (stock cannot drop below the units already promised to sales). */
export const productPatch = (rules: UrlRules = {}) =>
  z
    .object(productFields(rules))
    .partial()
    .refine((p) => Object.keys(p).length > 0, 'nothing to change');
export const ProductPatch = productPatch();
export type ProductPatch = z.infer<typeof ProductPatch>;

export const Product = z.object({
  id: Uuid,
  liveId: Uuid,
  title: z.string(),
  imageUrl: z.string().nullable(),
  price: z.number().int(),
  currency: z.string(),
  stock: z.number().int(),
  perUserLimit: z.number().int(),
  /** Units already promised to sales. */
  allocated: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Product = z.infer<typeof Product>;

export const ProductStats = z.object({
  productId: Uuid,
  title: z.string(),
  /** Distinct viewers the product was shown to. */
  impressions: z.number().int(),
  /** Distinct viewers who clicked it, and all clicks. */
  clickers: z.number().int(),
  clicks: z.number().int(),
  /** clickers / impressions (0 when never shown). */
  ctr: z.number(),
});
export type ProductStats = z.infer<typeof ProductStats>;

export const PinProductBody = z.object({ productId: Uuid.nullable() });
export const ProductParams = z.object({ liveId: Uuid, productId: Uuid });

// ── Flash sales ───────────────────────────────────────────────────────────────────────────────────────────

export const ScheduleSaleBody = z.object({
  productId: Uuid,
  dealPrice: MinorAmount,
  units: z.number().int().min(1).max(1_000_000),
  perUserLimit: z.number().int().min(1).max(MAX_QUANTITY).default(1),
  /** Epoch ms (server clock). */
  opensAt: z.number().int().min(0),
  durationSec: z.number().int().min(1).max(86_400),
  /** The pre-open countdown starts this many seconds before `opensAt`. */
  countdownSec: z.number().int().min(0).max(3600).default(10),
});
export type ScheduleSaleBody = z.infer<typeof ScheduleSaleBody>;

export const SaleStatus = z.enum(['scheduled', 'countdown', 'open', 'closed']);
export type SaleStatus = z.infer<typeof SaleStatus>;

export const SaleCounters = z.object({
  initial: z.number().int(),
  remaining: z.number().int(),
  reserved: z.number().int(),
  sold: z.number().int(),
  /** Grows with every stock change; clients keep the highest they saw (stock events may cross nodes). */
  version: z.number().int(),
});
export type SaleCounters = z.infer<typeof SaleCounters>;

export const Sale = z.object({
  id: Uuid,
  liveId: Uuid,
  productId: Uuid,
  title: z.string(),
  imageUrl: z.string().nullable(),
  listPrice: z.number().int(),
  dealPrice: z.number().int(),
  currency: z.string(),
  perUserLimit: z.number().int(),
  countdownAt: z.number().int(),
  opensAt: z.number().int(),
  closesAt: z.number().int(),
  /** End of the fair-admission window (requests before it are admitted in random order). */
  fairUntil: z.number().int(),
  /** As of `serverTime` of the response or snapshot. */
  status: SaleStatus,
  stock: SaleCounters,
});
export type Sale = z.infer<typeof Sale>;

export const SaleParams = z.object({ liveId: Uuid, saleId: Uuid });

// ── Reservations and payment ──────────────────────────────────────────────────────────────────────────────

export const ReserveBody = z.object({ quantity: z.number().int().min(1).max(MAX_QUANTITY).default(1) });
export type ReserveBody = z.infer<typeof ReserveBody>;

export const ReservationStatus = z.enum(['reserved', 'paying', 'paid', 'expired']);
export const Reservation = z.object({
  id: Uuid,
  liveId: Uuid,
  saleId: Uuid,
  productId: Uuid,
  userId: z.string(),
  quantity: z.number().int(),
  unitPrice: z.number().int(),
  currency: z.string(),
  status: ReservationStatus,
  createdAt: z.number().int(),
  /** The hold is released at this time unless payment has started. */
  expiresAt: z.number().int(),
  /** Admission order within the sale (1 = first admitted). */
  admission: z.number().int(),
});
export type Reservation = z.infer<typeof Reservation>;
export const ReservationParams = z.object({ liveId: Uuid, reservationId: Uuid });

export const PayBody = z.object({
  couponId: Uuid.optional(),
  method: z.enum(['card', 'wallet']).default('card'),
  /** Honoured by the built-in simulated provider only: make the payment fail. */
  simulate: z.enum(['succeed', 'decline']).default('succeed'),
});
export type PayBody = z.infer<typeof PayBody>;

export const PaymentStarted = z.object({
  reservationId: Uuid,
  paymentId: Uuid,
  status: z.literal('pending'),
  subtotal: z.number().int(),
  discount: z.number().int(),
  total: z.number().int(),
  currency: z.string(),
  couponId: Uuid.nullable(),
});
export type PaymentStarted = z.infer<typeof PaymentStarted>;

export const Order = z.object({
  id: Uuid,
  liveId: Uuid,
  reservationId: Uuid,
  paymentId: Uuid,
  saleId: Uuid,
  productId: Uuid,
  userId: z.string(),
  quantity: z.number().int(),
  unitPrice: z.number().int(),
  subtotal: z.number().int(),
  discount: z.number().int(),
  total: z.number().int(),
  currency: z.string(),
  couponId: Uuid.nullable(),
  status: z.enum(['paid', 'settled']),
  createdAt: z.string(),
  /** `replay`: bought while watching the recording after the live (see `replay`). */
  source: z.enum(['live', 'replay']),
  /** Where in the recording the buyer was (replay orders only). */
  replay: z.object({ offsetMs: z.number().int(), chapter: z.number().int().nullable() }).nullable(),
});
export type Order = z.infer<typeof Order>;

// ── Coupons ───────────────────────────────────────────────────────────────────────────────────────────────

const couponCommon = {
  title: plainText(60),
  currency: Currency,
  quota: z.number().int().min(1).max(10_000_000),
  perUserLimit: z.number().int().min(1).max(10).default(1),
  /** Locked until this like goal of the live is reached. */
  likeGoalId: z.string().min(1).max(64).optional(),
  /** Only fans of at least this level with the merchant may claim it (FAN_LEVEL_REQUIRED otherwise). */
  minLevel: FanLevel.optional(),
};
export const CreateCouponBody = z.discriminatedUnion('kind', [
  /** 满减: `amountOff` off an order of at least `minSpend`. */
  z.object({
    kind: z.literal('amount_off'),
    amountOff: MinorAmount.min(1),
    minSpend: MinorAmount.default(0),
    ...couponCommon,
  }),
  /** 折扣: `percentOff` % off, at most `maxDiscount`. */
  z.object({
    kind: z.literal('percent_off'),
    percentOff: z.number().int().min(1).max(99),
    maxDiscount: MinorAmount.min(1),
    ...couponCommon,
  }),
]);
export type CreateCouponBody = z.infer<typeof CreateCouponBody>;

export const Coupon = z.object({
  id: Uuid,
  liveId: Uuid,
  kind: z.enum(['amount_off', 'percent_off']),
  title: z.string(),
  currency: z.string(),
  amountOff: z.number().int().nullable(),
  minSpend: z.number().int().nullable(),
  percentOff: z.number().int().nullable(),
  maxDiscount: z.number().int().nullable(),
  quota: z.number().int(),
  perUserLimit: z.number().int(),
  likeGoalId: z.string().nullable(),
  minLevel: FanLevel.nullable(),
  claimed: z.number().int(),
  locked: z.boolean(),
  /** Coupons of this kind the caller holds (claimed), and how many of them are used or being used. */
  mine: z.object({ claimed: z.number().int(), used: z.number().int() }),
});
export type Coupon = z.infer<typeof Coupon>;
export const CouponParams = z.object({ liveId: Uuid, couponId: Uuid });
export const CouponClaim = z.object({
  couponId: Uuid,
  claimNo: z.number().int(),
  claimed: z.number().int(),
  quota: z.number().int(),
});
export type CouponClaim = z.infer<typeof CouponClaim>;

// ── Report ────────────────────────────────────────────────────────────────────────────────────────────────

export const Reconciliation = z.object({
  saleId: Uuid,
  ok: z.boolean(),
  redis: z.record(z.string(), z.number()),
  ledger: z.record(z.string(), z.number()),
  problems: z.array(z.string()),
});
export type Reconciliation = z.infer<typeof Reconciliation>;

export const CommerceReport = z.object({
  liveId: Uuid,
  orders: z.number().int(),
  units: z.number().int(),
  buyers: z.number().int(),
  uniqueViewers: z.number().int(),
  /** buyers / unique viewers (0 without viewers). */
  conversion: z.number(),
  /** Per currency: paid totals after discounts, and discounts given. */
  gmv: z.record(z.string(), z.number()),
  discounts: z.record(z.string(), z.number()),
  couponsRedeemed: z.number().int(),
  products: z.array(
    ProductStats.extend({ units: z.number().int(), gmv: z.number().int(), currency: z.string() }),
  ),
  reconciliation: z.array(Reconciliation),
  createdAt: z.string(),
});
export type CommerceReport = z.infer<typeof CommerceReport>;

// ── Realtime ──────────────────────────────────────────────────────────────────────────────────────────────

/** Room event types of the commerce features (each carries the room `seq`). */
export const COMMERCE_EVENT = {
  productUpserted: 'product:upserted',
  productRemoved: 'product:removed',
  productPinned: 'product:pinned',
  saleScheduled: 'sale:scheduled',
  saleClosed: 'sale:closed',
  /** `{ saleId, ...SaleCounters, soldOut }` at a bounded rate, never one per reservation. */
  saleStock: 'sale:stock',
  couponCreated: 'coupon:created',
  couponUnlocked: 'coupon:unlocked',
} as const;

/** The `commerce` entry of the room snapshot's `features`. */
export const CommerceSnapshot = z.object({
  products: z.array(Product),
  pinnedProductId: Uuid.nullable(),
  sales: z.array(Sale),
  coupons: z.array(Coupon),
  /** The caller's own reservations in this live, newest first. */
  reservations: z.array(Reservation),
});
export type CommerceSnapshot = z.infer<typeof CommerceSnapshot>;

export const PinProductPayload = z.object({ liveId: Uuid, productId: Uuid.nullable() });
export const ImpressionsPayload = z.object({ liveId: Uuid, productIds: z.array(Uuid).min(1).max(50) });
export const ClickPayload = z.object({ liveId: Uuid, productId: Uuid });
export const ClaimCouponPayload = z.object({ liveId: Uuid, couponId: Uuid });
export type PinProductPayload = z.infer<typeof PinProductPayload>;
export type ImpressionsPayload = z.infer<typeof ImpressionsPayload>;
export type ClickPayload = z.infer<typeof ClickPayload>;
export type ClaimCouponPayload = z.infer<typeof ClaimCouponPayload>;
