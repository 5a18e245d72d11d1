/** Coupons (`coupons`) and who claimed them (`coupon_claims`); redemptions are written with their order. */
import type { CreateCouponBody } from '@lc/contracts/commerce.schema';
import type { FanLevel } from '@lc/contracts/growth.schema';
import type { Db, Queryable } from './db';

export interface CouponDef {
  id: string;
  liveId: string;
  kind: 'amount_off' | 'percent_off';
  title: string;
  currency: string;
  amountOff: number | null;
  minSpend: number | null;
  percentOff: number | null;
  maxDiscount: number | null;
  quota: number;
  perUserLimit: number;
  likeGoalId: string | null;
  minLevel: FanLevel | null;
}

export function createCouponsRepo(db: Db) {
  return {
    async insert(id: string, liveId: string, b: CreateCouponBody): Promise<CouponDef> {
      const def: CouponDef = {
        id,
        liveId,
        kind: b.kind,
        title: b.title,
        currency: b.currency,
        amountOff: b.kind === 'amount_off' ? b.amountOff : null,
        minSpend: b.kind === 'amount_off' ? b.minSpend : null,
        percentOff: b.kind === 'percent_off' ? b.percentOff : null,
        maxDiscount: b.kind === 'percent_off' ? b.maxDiscount : null,
        quota: b.quota,
        perUserLimit: b.perUserLimit,
        likeGoalId: b.likeGoalId ?? null,
        minLevel: b.minLevel ?? null,
      };
      await db.query(
        `INSERT INTO coupons (id, live_id, kind, title, currency, amount_off, min_spend, percent_off, max_discount,
           quota, per_user_limit, like_goal_id, min_level)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [
          def.id,
          def.liveId,
          def.kind,
          def.title,
          def.currency,
          def.amountOff,
          def.minSpend,
          def.percentOff,
          def.maxDiscount,
          def.quota,
          def.perUserLimit,
          def.likeGoalId,
          def.minLevel,
        ],
      );
      return def;
    },
    /** The user's next claim number of a coupon of this live (null: no such coupon in the live). */
    async nextClaimNo(
      q: Queryable,
      liveId: string,
      couponId: string,
      userId: string,
    ): Promise<number | null> {
      const { rows } = await q.query<{ n: number }>(
        `SELECT coalesce((SELECT max(claim_no) FROM coupon_claims WHERE coupon_id = c.id AND user_id = $3), 0)::int + 1
           AS n FROM coupons c WHERE c.id::text = $2 AND c.live_id = $1`,
        [liveId, couponId, userId],
      );
      return rows[0]?.n ?? null;
    },
    /** Records claim number `claimNo` of a user (idempotent). */
    async recordClaim(q: Queryable, couponId: string, userId: string, claimNo: number): Promise<void> {
      await q.query(
        `INSERT INTO coupon_claims (coupon_id, user_id, claim_no) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING`,
        [couponId, userId, claimNo],
      );
    },
  };
}
export type CouponsRepo = ReturnType<typeof createCouponsRepo>;
