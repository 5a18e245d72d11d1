/**
 * What the product panel draws besides the sheet's detail: the docked card over the video (image, price, deal
 * price, stock bar, countdown, call to action; a tap opens the shop sheet) and the shop sheet's list of every
 * product in the live. Text only; images are the host's product images.
 */
import type { Product, Sale } from '@lc/contracts/commerce.schema';
import { $, el, setUserUrl } from '../dom';
import { t } from '../i18n';
import { money } from './panel';

/** A product image, or a coloured placeholder of the same size. */
export function thumb(id?: string): { node: HTMLElement; set(url: string | null | undefined): void } {
  const img = el('img', { class: 'thumb', alt: '', referrerpolicy: 'no-referrer', ...(id ? { id } : {}) });
  const blank = el('span', { class: 'thumb', 'aria-hidden': 'true' });
  const node = el('span', { class: 'thumb-slot' }, blank);
  return {
    node,
    set(url) {
      // NOTE: a user URL only ever reaches the page as an attribute, and only when http(s) (setUserUrl).
      if (url && img.getAttribute('src') === url) return;
      if (setUserUrl(img, 'src', url)) {
        if (blank.parentNode) blank.replaceWith(img);
      } else if (img.parentNode) img.replaceWith(blank);
    },
  };
}

/** The stock bar: remaining of initial units (decoration: the same figure is written out next to it). */
export function stockBar(): { node: HTMLElement; set(remaining: number, initial: number): void } {
  const fill = el('span');
  const node = el('span', { class: 'stock-bar', 'aria-hidden': 'true' }, fill);
  return {
    node,
    set(remaining, initial) {
      fill.style.width = `${initial > 0 ? Math.round((Math.max(0, remaining) / initial) * 100) : 0}%`;
    },
  };
}

export interface DockState {
  product: Product | undefined;
  sale: Sale | undefined;
  /** e.g. "Ends in 1:59", or empty. */
  timer: string;
  cta: 'buy' | 'soon' | 'soldOut' | 'view';
}

export function dockView() {
  const button = $<HTMLButtonElement>('#product-dock');
  const image = thumb();
  const title = el('span', { class: 'dock-title' });
  const price = el('span', { class: 'dock-meta' });
  const timer = el('span', { class: 'dock-timer' });
  const left = el('span');
  const bar = stockBar();
  const cta = el('span', { class: 'dock-cta' });
  const context = el('span', { class: 'sr-only' });
  button.append(
    context,
    image.node,
    el(
      'span',
      { class: 'dock-text' },
      title,
      price,
      el('span', { class: 'dock-meta' }, timer, left),
      bar.node,
    ),
    cta,
  );
  return (s: DockState) => {
    const name = s.product?.title ?? s.sale?.title ?? '';
    button.hidden = !s.product && !s.sale;
    if (button.hidden) return;
    const currency = s.sale?.currency ?? s.product?.currency ?? 'CNY';
    image.set(s.product?.imageUrl);
    title.textContent = name;
    const now = s.sale
      ? money(s.sale.dealPrice, currency)
      : s.product
        ? money(s.product.price, currency)
        : '';
    price.replaceChildren(el('b', { class: 'deal' }, now));
    if (s.sale) price.append(' ', el('s', {}, money(s.sale.listPrice, currency)));
    timer.textContent = s.timer;
    left.textContent = s.sale ? t('dock.left', { n: Math.max(0, s.sale.stock.remaining) }) : '';
    bar.node.hidden = !s.sale;
    if (s.sale) bar.set(s.sale.stock.remaining, s.sale.stock.initial);
    cta.textContent = t(`dock.${s.cta}`);
    cta.dataset.off = String(s.cta === 'soldOut');
    button.dataset.cta = s.cta;
    // The card's name is what it shows (title, prices, countdown, stock, action), after a word of context.
    context.textContent = `${t('product.now')}: `;
  };
}

/** The shop sheet's list: every product of the live, the pinned one marked. */
export function catalogView() {
  const list = $('#catalog-list');
  const empty = $('#catalog-empty');
  return (products: Product[], pinned: string | null) => {
    empty.hidden = products.length > 0;
    list.replaceChildren(
      ...products.map((p) => {
        const img = thumb();
        img.set(p.imageUrl);
        const isPinned = p.id === pinned;
        return el(
          'li',
          { 'data-product-id': p.id, 'data-pinned': String(isPinned) },
          img.node,
          el('span', { class: 'product-title' }, p.title),
          el('b', { class: 'price' }, money(p.price, p.currency)),
          ...(isPinned ? [el('span', { class: 'badge-now' }, t('product.now'))] : []),
        );
      }),
    );
  };
}
