/** Products: add one (REST), list them with stock, pin one as "now explaining" (`product:pin`) or unpin. */
import type { CommerceSnapshot, Product, ProductStats } from '@lc/contracts/commerce.schema';
import type { RoomEvent, RoomSnapshot } from '@lc/contracts/room.schema';
import { el } from '../dom';
import { t } from '../i18n';
import {
  button,
  errorLine,
  field,
  input,
  keepFocus,
  minor,
  money,
  num,
  type Panel,
  type StudioCtx,
  section,
  tr,
  val,
} from './ui';

export interface ProductsView extends Panel {
  /** Products known to the studio (the sale and lottery forms pick from them). */
  products(): Product[];
  onChange(fn: () => void): void;
}

export function productsPanel(ctx: StudioCtx, mount: HTMLElement): ProductsView {
  const products = new Map<string, Product>();
  let pinned: string | null = null;
  const listeners: Array<() => void> = [];
  const list = el('ul', { id: 'products', class: 'items' });
  const err = errorLine('product-error');
  const form = el(
    'form',
    { id: 'product-form' },
    ...field('products.name', input('product-title', { required: '', maxlength: '120' })),
    ...field(
      'products.price',
      input('product-price', { type: 'number', min: '0', step: '0.01', required: '' }),
    ),
    ...field(
      'products.currency',
      input('product-currency', { value: 'CNY', pattern: '[A-Z]{3}', size: '4' }),
    ),
    ...field(
      'products.stock',
      input('product-stock', { type: 'number', min: '0', value: '100', required: '' }),
    ),
    ...field('products.perUser', input('product-limit', { type: 'number', min: '0', value: '0' })),
    ...field('products.image', input('product-image', { type: 'url', maxlength: '2048' })),
    tr('button', 'products.add', { type: 'submit' }),
  );
  const stats = new Map<string, ProductStats>();
  const refresh = button('products.refreshStats');
  refresh.onclick = () =>
    err.run(async () => {
      const r = await ctx.rest<{ products: ProductStats[] }>('GET', '/products/stats');
      for (const p of r.products) stats.set(p.productId, p);
      render();
    });
  mount.append(section('products-panel', 'products.title', form, err.line, refresh, list));

  form.onsubmit = (ev) => {
    ev.preventDefault();
    void err.run(async () => {
      const added = await ctx.rest<Product>('POST', '/products', {
        title: val('product-title'),
        price: minor(val('product-price')),
        currency: val('product-currency') || 'CNY',
        stock: num('product-stock'),
        perUserLimit: num('product-limit'),
        imageUrl: val('product-image').trim() || null,
      });
      if (!products.has(added.id)) {
        products.set(added.id, added);
        render();
      }
      form.reset();
      (document.getElementById('product-currency') as HTMLInputElement).value = 'CNY';
    });
  };

  const statsText = (s: ProductStats | undefined) =>
    s
      ? el(
          'span',
          { class: 'muted product-stats' },
          ` ${t('products.stats', { impressions: s.impressions, clickers: s.clickers, ctr: (s.ctr * 100).toFixed(1) })} `,
        )
      : '';
  const render = () => {
    keepFocus(list, () =>
      list.replaceChildren(
        ...[...products.values()].map((p) => {
          const isPinned = p.id === pinned;
          const pin = button(isPinned ? 'products.unpin' : 'products.pin');
          pin.setAttribute('aria-pressed', String(isPinned));
          pin.onclick = () =>
            err.run(() =>
              ctx.client.command('product:pin', { liveId: ctx.liveId, productId: isPinned ? null : p.id }),
            );
          return el(
            'li',
            { 'data-product-id': p.id, ...(isPinned ? { class: 'pinned' } : {}) },
            p.imageUrl ? el('img', { class: 'row-thumb', src: p.imageUrl, alt: '' }) : '',
            el('b', {}, p.title),
            ` ${money(p.price, p.currency)} · ${t('products.stockOf', { stock: p.stock, allocated: p.allocated })} `,
            isPinned ? el('span', { class: 'badge' }, t('products.pinned')) : '',
            statsText(stats.get(p.id)),
            ' ',
            pin,
          );
        }),
      ),
    );
    for (const fn of listeners) fn();
  };

  return {
    products: () => [...products.values()],
    onChange: (fn) => listeners.push(fn),
    onSnapshot(s: RoomSnapshot) {
      const c = s.features.commerce as CommerceSnapshot | undefined;
      products.clear();
      for (const p of c?.products ?? []) products.set(p.id, p);
      pinned = c?.pinnedProductId ?? null;
      render();
    },
    onEvent(e: RoomEvent) {
      const d = e.data as { product?: Product; productId?: string | null };
      if (e.type === 'product:upserted' && d.product) products.set(d.product.id, d.product);
      else if (e.type === 'product:removed' && d.productId) products.delete(d.productId);
      else if (e.type === 'product:pinned') pinned = d.productId ?? null;
      else return;
      render();
    },
    onLang: render,
  };
}
