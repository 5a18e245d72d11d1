/** Coupons of the live: claim (`coupon:claim`), locked ones wait for their like goal. */
import type { CommerceSnapshot, Coupon, CouponClaim } from '@lc/contracts/commerce.schema';
import { $, el } from '../dom';
import { t } from '../i18n';
import { COMMERCE_EVENT } from './events';
import { errorText, feature, money, type Panel, type ViewerCtx } from './panel';

export interface CouponsPanel extends Panel {
  list(): Coupon[];
}

export function couponsPanel(ctx: ViewerCtx): CouponsPanel {
  const section = $('#coupons');
  const ul = $('#coupon-list');
  const coupons = new Map<string, Coupon>();
  const errors = new Map<string, string>();

  const describe = (c: Coupon) =>
    c.kind === 'amount_off'
      ? t('coupons.amountOff', {
          amount: money(c.amountOff ?? 0, c.currency),
          min: money(c.minSpend ?? 0, c.currency),
        })
      : t('coupons.percentOff', { percent: c.percentOff ?? 0, max: money(c.maxDiscount ?? 0, c.currency) });

  async function claim(c: Coupon) {
    try {
      const r = await ctx.client.command<CouponClaim>('coupon:claim', { liveId: ctx.liveId, couponId: c.id });
      c.claimed = r.claimed;
      c.mine = { ...c.mine, claimed: c.mine.claimed + 1 };
      errors.delete(c.id);
    } catch (err) {
      errors.set(c.id, errorText(err));
    }
    render();
  }

  function render() {
    section.hidden = coupons.size === 0;
    ul.replaceChildren(
      ...[...coupons.values()].map((c) => {
        const full = c.mine.claimed >= c.perUserLimit;
        const button = el(
          'button',
          { type: 'button', 'data-coupon-id': c.id },
          c.locked ? t('coupons.locked') : full ? t('coupons.claimed') : t('coupons.claim'),
        );
        button.disabled = c.locked || full || c.claimed >= c.quota;
        button.setAttribute('aria-label', `${button.textContent}: ${c.title}`);
        button.addEventListener('click', () => void claim(c));
        return el(
          'li',
          { 'data-coupon-id': c.id },
          el('b', {}, c.title),
          ' ',
          el('span', {}, describe(c)),
          ' ',
          el('span', { class: 'muted' }, t('coupons.left', { left: Math.max(0, c.quota - c.claimed) })),
          ' ',
          button,
          el('span', { class: 'error', role: 'alert' }, errors.get(c.id) ?? ''),
        );
      }),
    );
  }

  return {
    list: () => [...coupons.values()],
    snapshot(s) {
      coupons.clear();
      for (const c of feature<CommerceSnapshot>(s, 'commerce')?.coupons ?? []) coupons.set(c.id, c);
      render();
    },
    event(e) {
      const d = e.data as { coupon?: Coupon; couponId?: string };
      if (e.type === COMMERCE_EVENT.couponCreated && d.coupon) {
        coupons.set(d.coupon.id, { ...d.coupon, mine: { claimed: 0, used: 0 } });
      } else if (e.type === COMMERCE_EVENT.couponUnlocked && d.couponId) {
        const c = coupons.get(d.couponId);
        if (c) c.locked = false;
      } else return;
      render();
    },
    relabel: render,
  };
}
