/**
 * The buy flow of the pinned sale: reserve (HTTP, Idempotency-Key) → simulated pay (HTTP, Idempotency-Key) →
 * order confirmation from the `order:paid` fact. A key lives until the server answered that attempt for good,
 * so a retry after a lost response can't reserve twice.
 */
import type { Coupon, Order, PaymentStarted, Reservation, Sale } from '@lc/contracts/commerce.schema';
import { el } from '../dom';
import { t } from '../i18n';
import { newKey } from '../idempotency-key';
import { ApiError, api, type RoomFact } from '../live-client';
import { toast } from '../toast';
import { countdown, errorText, money, type ViewerCtx } from './panel';

type State =
  | { s: 'idle' }
  | { s: 'reserving' }
  | { s: 'reserved'; r: Reservation }
  | { s: 'paying'; r: Reservation }
  | { s: 'paid'; order: Order }
  | { s: 'failed'; r: Reservation; reason: string };

/** Errors after which the same attempt may be retried with the same key (nothing definitive happened). */
const RETRYABLE = new Set(['UNAVAILABLE', 'SERVICE_UNAVAILABLE', 'INTERNAL', 'RATE_LIMITED']);

export interface BuyFlow {
  node: HTMLElement;
  /** Re-render against the sale's current phase and stock. */
  update(sale: Sale, open: boolean, soldOut: boolean): void;
  fact(f: RoomFact): void;
  /** Own reservations from the snapshot: an unpaid one of this sale resumes at the pay step. */
  resume(reservations: Reservation[], now: number): void;
  relabel(): void;
}

export function buyFlow(ctx: ViewerCtx, claimedCoupons: () => Coupon[]): BuyFlow {
  let state: State = { s: 'idle' };
  let sale: Sale | null = null;
  let reserveKey: string | null = null;
  let payKey: string | null = null;
  let message = '';
  let open = false;
  let soldOut = false;

  const buy = el('button', { id: 'buy', type: 'button', class: 'primary' });
  const pay = el('button', { id: 'pay', type: 'button', class: 'primary' });
  const couponLabel = el('label', { for: 'coupon-pick' });
  const couponPick = el('select', { id: 'coupon-pick' });
  const couponRow = el('span', { class: 'coupon-pick' }, couponLabel, ' ', couponPick);
  const status = el('p', { id: 'buy-status', role: 'status', 'aria-live': 'polite' });
  const order = el('p', { id: 'order', class: 'order' });
  const node = el('div', { class: 'buy' }, buy, pay, couponRow, status, order);

  const token = ctx.auth.token;
  const base = `/api/lives/${ctx.liveId}`;

  async function reserve() {
    if (!sale) return;
    state = { s: 'reserving' };
    message = '';
    render();
    reserveKey ??= newKey();
    try {
      const r = await api<Reservation>(
        'POST',
        `${base}/sales/${sale.id}/reservations`,
        { quantity: 1 },
        token,
        { 'idempotency-key': reserveKey },
      );
      reserveKey = null;
      state = { s: 'reserved', r };
    } catch (err) {
      if (!(err instanceof ApiError && RETRYABLE.has(err.code))) reserveKey = null;
      state = { s: 'idle' };
      message = errorText(err);
      toast(message, 'error');
    }
    render();
  }

  async function startPay() {
    if (state.s !== 'reserved' && state.s !== 'failed') return;
    const r = state.r;
    state = { s: 'paying', r };
    message = '';
    render();
    payKey ??= newKey();
    try {
      await api<PaymentStarted>(
        'POST',
        `${base}/reservations/${r.id}/pay`,
        { simulate: 'succeed', ...(couponPick.value ? { couponId: couponPick.value } : {}) },
        token,
        { 'idempotency-key': payKey },
      );
      payKey = null;
      // The outcome arrives as `order:paid` / `payment:failed`.
    } catch (err) {
      if (!(err instanceof ApiError && RETRYABLE.has(err.code))) payKey = null;
      const code = (err as { code?: string }).code;
      state = code === 'RESERVATION_EXPIRED' ? { s: 'idle' } : { s: 'reserved', r };
      message = errorText(err);
      toast(message, 'error');
    }
    render();
  }

  buy.addEventListener('click', () => void reserve());
  pay.addEventListener('click', () => void startPay());

  let couponKey = '';
  function fillCoupons() {
    const picked = couponPick.value;
    const usable = claimedCoupons().filter(
      (c) => c.mine.claimed > c.mine.used && c.currency === sale?.currency,
    );
    couponRow.hidden = usable.length === 0 || (state.s !== 'reserved' && state.s !== 'failed');
    // NOTE: rebuilt only when the choice changes, so an open or focused select survives the countdown ticks.
    const key = `${usable.map((c) => c.id).join()}|${couponLabel.textContent}`;
    if (key === couponKey) return;
    couponKey = key;
    couponPick.replaceChildren(
      el('option', { value: '' }, t('buy.noCoupon')),
      ...usable.map((c) => el('option', { value: c.id }, c.title)),
    );
    couponPick.value = usable.some((c) => c.id === picked) ? picked : '';
  }

  function render() {
    buy.textContent = soldOut ? t('sale.soldOut') : t('buy.button');
    pay.textContent = t('buy.pay');
    couponLabel.textContent = t('buy.coupon');
    const canBuy = open && !soldOut && (state.s === 'idle' || state.s === 'paid');
    buy.disabled = !canBuy;
    buy.hidden = state.s === 'reserved' || state.s === 'paying' || state.s === 'failed';
    pay.hidden = !(state.s === 'reserved' || state.s === 'failed' || state.s === 'paying');
    pay.disabled = state.s === 'paying';
    fillCoupons();
    node.dataset.state = state.s;
    switch (state.s) {
      case 'reserving':
        status.textContent = t('buy.reserving');
        break;
      case 'reserved':
        status.textContent = t('buy.reserved', { time: countdown(state.r.expiresAt - ctx.clock.now()) });
        break;
      case 'paying':
        status.textContent = t('buy.paying');
        break;
      case 'failed':
        status.textContent = t('buy.failed', { reason: state.reason });
        break;
      default:
        status.textContent = '';
    }
    if (message) status.textContent = message;
    status.dataset.error = message ? 'true' : 'false';
  }

  function showOrder(o: Order) {
    order.textContent = t('buy.paid', {
      quantity: o.quantity,
      title: sale?.title ?? '',
      total: money(o.total, o.currency),
    });
    order.dataset.orderId = o.id;
  }

  return {
    node,
    update(s, isOpen, isSoldOut) {
      if (sale && sale.id !== s.id && state.s !== 'paying') state = { s: 'idle' };
      sale = s;
      open = isOpen;
      soldOut = isSoldOut;
      // A reservation past its hold (and not being paid) is gone: back to the start.
      if (state.s === 'reserved' && state.r.expiresAt <= ctx.clock.now()) {
        state = { s: 'idle' };
        message = t('err.RESERVATION_EXPIRED');
        toast(message, 'error');
      }
      render();
    },
    fact(f) {
      if (f.name === 'order:paid') {
        const o = f.payload.order;
        if ((state.s === 'paying' || state.s === 'reserved') && state.r.id !== o.reservationId) return;
        state = { s: 'paid', order: o };
        message = '';
        showOrder(o);
        toast(order.textContent ?? '', 'success');
        render();
      } else if (f.name === 'payment:failed') {
        if ((state.s === 'paying' || state.s === 'reserved') && state.r.id === f.payload.reservationId) {
          state = { s: 'failed', r: state.r, reason: f.payload.reason };
          toast(t('buy.failed', { reason: f.payload.reason }), 'error');
          render();
        }
      }
    },
    resume(reservations, now) {
      if (state.s !== 'idle' || !sale) return;
      const mine = reservations.filter((x) => x.saleId === sale!.id);
      const r = mine.find((x) => x.status === 'reserved' && x.expiresAt > now);
      if (r) state = { s: 'reserved', r };
      const paid = mine.find((x) => x.status === 'paid');
      // A paid one (before a reload, or in another tab): show its order again.
      if (!r && paid) {
        api<{ orders: Order[] }>('GET', `${base}/orders`, undefined, token)
          .then(({ orders }) => {
            const o = orders.find((x) => x.reservationId === paid.id);
            if (o && state.s === 'idle') {
              state = { s: 'paid', order: o };
              showOrder(o);
              render();
            }
          })
          .catch(() => {});
      }
      render();
    },
    relabel() {
      render();
      if (state.s === 'paid') showOrder(state.order);
    },
  };
}
