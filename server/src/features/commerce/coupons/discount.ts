/** Coupon arithmetic, in minor units: 满减 (amount off above a minimum spend) and 折扣 (percent off, capped). */
import { AppError } from '@lc/contracts/errors';
import type { CouponDef } from '../../../ledger/coupons.repo';

/**
 * The discount a coupon gives on `subtotal`; never more than the subtotal.
 * @throws COUPON_NOT_APPLICABLE (other currency, or below the minimum spend)
 */
export function discountFor(
  def: Pick<CouponDef, 'kind' | 'currency' | 'amountOff' | 'minSpend' | 'percentOff' | 'maxDiscount'>,
  subtotal: number,
  currency: string,
): number {
  if (def.currency !== currency) {
    throw new AppError('COUPON_NOT_APPLICABLE', `the coupon is for ${def.currency} prices`);
  }
  if (def.kind === 'amount_off') {
    if (subtotal < (def.minSpend ?? 0)) {
      throw new AppError('COUPON_NOT_APPLICABLE', `the coupon needs a spend of at least ${def.minSpend}`, {
        minSpend: def.minSpend,
      });
    }
    return Math.min(def.amountOff ?? 0, subtotal);
  }
  // NOTE: floor, so the buyer never gets a fraction of a minor unit more than the percentage says.
  return Math.min(Math.floor((subtotal * (def.percentOff ?? 0)) / 100), def.maxDiscount ?? 0, subtotal);
}
