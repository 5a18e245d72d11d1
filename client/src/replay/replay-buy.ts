/**
 * Buying the product of the moment from the replay: reserve it at the current position (HTTP, Idempotency-Key —
 * kept until the server answered for good, so a retry after a lost response cannot reserve twice), pay with the
 * simulated provider, then wait for the order (the payment's webhook records it). The order is attributed to the
 * replay and to the position sent.
 */
import type { Order, Reservation } from '@lc/contracts/commerce.schema';
import { el } from '../dom';
import { t } from '../i18n';
import { newKey } from '../idempotency-key';
import { api } from '../live-client';

const RETRYABLE = new Set(['UNAVAILABLE', 'SERVICE_UNAVAILABLE', 'INTERNAL', 'RATE_LIMITED']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ReplayBuyDeps {
  liveId: string;
  token: string;
  /** Where the viewer is in the recording (ms), within its length. */
  position(): number;
}

/** The Buy control of one product. */
export function replayBuyButton(deps: ReplayBuyDeps, productId: string): HTMLElement {
  const base = `/api/lives/${encodeURIComponent(deps.liveId)}`;
  const button = el(
    'button',
    { type: 'button', class: 'primary', 'data-action': 'replay-buy' },
    t('replay.buy'),
  );
  const note = el('p', { class: 'muted replay-buy-note', role: 'status', 'aria-live': 'polite' });
  const wrap = el('div', { class: 'replay-buy', 'data-state': 'idle' }, button, note);
  let reserveKey: string | undefined;

  const waitOrder = async (reservationId: string): Promise<Order | undefined> => {
    for (let i = 0; i < 60; i++) {
      const { orders } = await api<{ orders: Order[] }>('GET', `${base}/orders`, undefined, deps.token);
      const order = orders.find((o) => o.reservationId === reservationId);
      if (order) return order;
      await sleep(500);
    }
    return undefined;
  };

  button.addEventListener('click', () => {
    button.disabled = true;
    wrap.dataset.state = 'buying';
    note.textContent = t('replay.buying');
    reserveKey ??= newKey();
    void (async () => {
      try {
        const r = await api<Reservation>(
          'POST',
          `${base}/recording/reservations`,
          { productId, quantity: 1, offsetMs: Math.max(0, Math.round(deps.position())) },
          deps.token,
          { 'idempotency-key': reserveKey },
        );
        await api('POST', `${base}/reservations/${r.id}/pay`, { method: 'card' }, deps.token, {
          'idempotency-key': newKey(),
        });
        reserveKey = undefined;
        note.textContent = t('replay.paying');
        const order = await waitOrder(r.id);
        if (!order) throw Object.assign(new Error('no order'), { code: 'INTERNAL' });
        wrap.dataset.state = 'paid';
        wrap.dataset.orderId = order.id;
        note.textContent = t('replay.ordered');
        button.disabled = false;
      } catch (err) {
        const code = (err as { code?: string }).code ?? 'INTERNAL';
        if (!RETRYABLE.has(code)) reserveKey = undefined;
        wrap.dataset.state = 'failed';
        const key = `replay.err.${code}`;
        const text = t(key);
        note.textContent = text === key ? t('replay.buyFailed', { code }) : text;
        button.disabled = false;
      }
    })();
  });
  return wrap;
}
