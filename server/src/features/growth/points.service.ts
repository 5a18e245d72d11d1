/**
 * Points: a merchant's rules, a user's balance and history, the points shop (spending points issues a real
 * coupon claim through the coupons feature, in the spend's transaction) and reversing a refunded order's
 * purchase points. Awards themselves are written by the end-of-live step (points.jobs.ts).
 */
import { randomUUID } from 'node:crypto';
import type { TokenClaims } from '@lc/contracts/auth.schema';
import { AppError } from '@lc/contracts/errors';
import type {
  CreateShopItemBody,
  PointsAccount,
  PointsRules,
  Redemption,
  ReversalResult,
  ShopItem,
} from '@lc/contracts/growth.schema';
import type { GrowthRepo } from '../../ledger/growth.repo';
import type { PointsRepo } from '../../ledger/points.repo';
import type { CouponsService } from '../commerce/coupons/coupons.service';

export function createPointsService(deps: {
  repo: PointsRepo;
  growth: GrowthRepo;
  coupons: Pick<CouponsService, 'grantPrize'>;
}) {
  const { repo, growth } = deps;
  return {
    rules: (merchant: TokenClaims) => growth.rules(merchant.sub),
    async setRules(merchant: TokenClaims, rules: PointsRules): Promise<PointsRules> {
      await growth.setRules(merchant.sub, rules);
      return rules;
    },
    async account(merchantId: string, userId: string): Promise<PointsAccount> {
      const [balance, entries] = await Promise.all([
        repo.balance(merchantId, userId),
        repo.entries(merchantId, userId),
      ]);
      return { merchantId, userId, balance, entries };
    },
    /** @throws COUPON_NOT_FOUND (not a coupon of one of the caller's lives) */
    async createItem(merchant: TokenClaims, body: CreateShopItemBody): Promise<ShopItem> {
      if (!(await growth.couponOfMerchant(merchant.sub, body.liveId, body.couponId)))
        throw new AppError('COUPON_NOT_FOUND', 'no coupon with that id in one of your lives');
      return growth.insertItem({ id: randomUUID(), merchantId: merchant.sub, ...body });
    },
    items: (merchantId: string) => growth.items(merchantId),
    /**
     * Spends the item's cost and issues one claim of its coupon, once per Idempotency-Key.
     * @throws SHOP_ITEM_NOT_FOUND, POINTS_INSUFFICIENT, COUPON_NOT_FOUND
     */
    async redeem(user: TokenClaims, merchantId: string, itemId: string, key: string): Promise<Redemption> {
      const item = await growth.item(merchantId, itemId);
      if (!item) throw new AppError('SHOP_ITEM_NOT_FOUND', 'no such item in this shop');
      const out = await repo.spend(
        { merchantId, userId: user.sub, source: `shop:${itemId}:${key}`, cost: item.cost },
        async (q) => {
          const { claimNo } = await deps.coupons.grantPrize(q, item.liveId, item.couponId, user.sub);
          return { claimNo };
        },
      );
      return {
        entryId: out.entryId,
        itemId,
        couponId: item.couponId,
        liveId: item.liveId,
        claimNo: Number(out.note.claimNo),
        cost: item.cost,
        balance: out.balance,
        replayed: out.replayed,
      };
    },
    /**
     * Reverses the purchase points of a refunded order (once; a second call answers the first result).
     * @throws NOT_FOUND (no such order), FORBIDDEN (an order of another merchant)
     */
    async reverseOrder(merchant: TokenClaims, orderId: string): Promise<ReversalResult> {
      const owner = await growth.orderOwner(orderId);
      if (!owner) throw new AppError('NOT_FOUND', 'no order with that id');
      if (owner.merchantId !== merchant.sub) throw new AppError('FORBIDDEN', 'an order of another merchant');
      const r = await repo.reverse({
        merchantId: owner.merchantId,
        userId: owner.userId,
        kind: 'purchase',
        source: `order:${orderId}`,
      });
      return { orderId, userId: owner.userId, reversed: r.reversed, shortfall: r.shortfall };
    },
  };
}
export type PointsService = ReturnType<typeof createPointsService>;
