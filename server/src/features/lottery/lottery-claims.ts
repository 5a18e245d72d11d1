/**
 * Prize claims, shared by the REST route and the `lottery:claim` socket command: a winner claims their offer
 * with a shipping address before its deadline, and the claim issues the real prize in the same ledger
 * transaction — a coupon prize becomes a coupon claim (commerce `grantPrize`), a product prize a zero-price
 * prize order keyed `prize:<lotteryId>:<slot>:<attempt>`. Issue-on-claim means an offer that is forfeited
 * never held a usable coupon or order, so nothing has to be revoked and each slot is issued at most once.
 */
import type { TokenClaims } from '@lc/contracts/auth.schema';
import { AppError } from '@lc/contracts/errors';
import type { MyPrize, PrizeClaimBody } from '@lc/contracts/lottery.schema';
import type { LotteryPrizesRepo, PrizeIssuer, PrizeRow } from '../../ledger/lottery-prizes.repo';
import { prizeKey } from '../../ledger/lottery-prizes.repo';
import type { OrdersRepo } from '../../ledger/orders.repo';
import type { CouponsService } from '../commerce/coupons/coupons.service';
import type { LotteryService } from './lottery.service';

/** The public view of a prize row (the user id is the caller's own). */
export const toMyPrize = ({ userId: _u, ...p }: PrizeRow): MyPrize => p;

export function createLotteryClaims(deps: {
  lottery: Pick<LotteryService, 'audit'>;
  prizes: LotteryPrizesRepo;
  coupons: Pick<CouponsService, 'grantPrize'>;
  orders: Pick<OrdersRepo, 'recordPrizeOrder'>;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  const issue: PrizeIssuer = async (q, p) => {
    if (p.prize.kind === 'coupon') {
      const { claimNo } = await deps.coupons.grantPrize(q, p.liveId, p.prize.couponId, p.userId);
      return { couponClaimNo: claimNo, orderId: null };
    }
    const orderId = await deps.orders.recordPrizeOrder(q, {
      liveId: p.liveId,
      userId: p.userId,
      productId: p.prize.productId,
      key: prizeKey(p.lotteryId, p.slot, p.attempt),
      shipping: p.shipping,
    });
    if (!orderId) throw new AppError('PRODUCT_NOT_FOUND', 'the prize product is gone from this live');
    return { couponClaimNo: null, orderId };
  };

  return {
    /**
     * Claims the caller's offer in this lottery and issues the prize.
     * @throws LOTTERY_NOT_FOUND, LOTTERY_NOT_DRAWN, PRIZE_NOT_CLAIMABLE, COUPON_NOT_FOUND, PRODUCT_NOT_FOUND
     */
    async claim(
      user: TokenClaims,
      liveId: string,
      lotteryId: string,
      shipping: PrizeClaimBody,
    ): Promise<{ claimed: true; prize: MyPrize }> {
      // NOTE: the audit lookup also checks that the lottery belongs to this live.
      await deps.lottery.audit(liveId, lotteryId);
      const row = await deps.prizes.claim(lotteryId, user.sub, shipping, now(), issue);
      if (!row) throw new AppError('PRIZE_NOT_CLAIMABLE', 'no claimable prize of yours in this lottery');
      return { claimed: true, prize: toMyPrize(row) };
    },

    /** Every prize offered to the caller, newest first. */
    async mine(user: TokenClaims): Promise<{ prizes: MyPrize[] }> {
      return { prizes: (await deps.prizes.listByUser(user.sub)).map(toMyPrize) };
    },
  };
}
export type LotteryClaims = ReturnType<typeof createLotteryClaims>;
