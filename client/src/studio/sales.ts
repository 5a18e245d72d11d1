/**
 * Flash-sale scheduler: product, deal price, units, per-user limit, open time and duration; each sale's
 * countdown runs on the server clock and its stock follows `sale:stock` (highest `version` wins).
 */
import type { Sale, SaleCounters } from '@lc/contracts/commerce.schema';
import type { RoomEvent, RoomSnapshot } from '@lc/contracts/room.schema';
import { el } from '../dom';
import { t } from '../i18n';
import type { ProductsView } from './products';
import {
  button,
  clockText,
  errorLine,
  field,
  input,
  minor,
  money,
  num,
  type Panel,
  type StudioCtx,
  section,
  tr,
  val,
} from './ui';

type Phase = 'scheduled' | 'countdown' | 'open' | 'closed';

export function salesPanel(ctx: StudioCtx, mount: HTMLElement, products: ProductsView): Panel {
  const sales = new Map<string, Sale>();
  const list = el('ul', { id: 'sales', class: 'items' });
  const err = errorLine('sale-error');
  const productSelect = el('select', { id: 'sale-product', name: 'sale-product', required: '' });
  const form = el(
    'form',
    { id: 'sale-form' },
    ...field('sales.product', productSelect),
    ...field(
      'sales.dealPrice',
      input('sale-price', { type: 'number', min: '0', step: '0.01', required: '' }),
    ),
    ...field('sales.units', input('sale-units', { type: 'number', min: '1', value: '10', required: '' })),
    ...field('sales.perUser', input('sale-limit', { type: 'number', min: '1', value: '1', required: '' })),
    ...field('sales.opensIn', input('sale-opens-in', { type: 'number', min: '0', value: '30' })),
    ...field('sales.opensAt', input('sale-opens-at', { type: 'datetime-local' })),
    ...field(
      'sales.duration',
      input('sale-duration', { type: 'number', min: '1', value: '300', required: '' }),
    ),
    ...field(
      'sales.countdown',
      input('sale-countdown', { type: 'number', min: '0', max: '3600', value: '10' }),
    ),
    tr('button', 'sales.schedule', { type: 'submit' }),
  );
  mount.append(section('sales-panel', 'sales.title', form, err.line, list));

  const fillProducts = () => {
    const current = productSelect.value;
    productSelect.replaceChildren(
      ...products
        .products()
        .map((p) => el('option', { value: p.id }, `${p.title} (${money(p.price, p.currency)})`)),
    );
    if (current) productSelect.value = current;
  };
  products.onChange(fillProducts);

  form.onsubmit = (ev) => {
    ev.preventDefault();
    void err.run(async () => {
      const at = val('sale-opens-at');
      // NOTE: an absolute time is the host's wall clock; "opens in" counts from the server clock.
      const opensAt = at ? new Date(at).getTime() : ctx.now() + num('sale-opens-in') * 1000;
      const sale = await ctx.rest<Sale>('POST', '/sales', {
        productId: productSelect.value,
        dealPrice: minor(val('sale-price')),
        units: num('sale-units'),
        perUserLimit: num('sale-limit'),
        opensAt: Math.round(opensAt),
        durationSec: num('sale-duration'),
        countdownSec: num('sale-countdown'),
      });
      // Shown from the answer at once; the room's `sale:scheduled` (same id) only refreshes it.
      if (!sales.has(sale.id)) sales.set(sale.id, sale);
      update(sales.get(sale.id)!);
    });
  };

  const phase = (s: Sale): Phase => {
    const now = ctx.now();
    if (s.status === 'closed' || now >= s.closesAt) return 'closed';
    if (now >= s.opensAt) return 'open';
    return now >= s.countdownAt ? 'countdown' : 'scheduled';
  };
  const timer = (s: Sale, p: Phase) => {
    if (p === 'closed') return t('sales.ended');
    if (p === 'open') return t('sales.closesIn', { time: clockText(s.closesAt - ctx.now()) });
    return t('sales.startsIn', { time: clockText(s.opensAt - ctx.now()) });
  };
  const stockText = (c: SaleCounters) =>
    t('sales.stock', { remaining: c.remaining, reserved: c.reserved, sold: c.sold, initial: c.initial });

  const rowOf = (id: string) => list.querySelector<HTMLElement>(`[data-sale-id="${CSS.escape(id)}"]`);
  const build = (s: Sale) => {
    const close = button('sales.close');
    close.onclick = () => err.run(() => ctx.rest('POST', `/sales/${s.id}/close`));
    return el(
      'li',
      { 'data-sale-id': s.id },
      el('b', {}, s.title),
      ` ${money(s.dealPrice, s.currency)} `,
      el('s', { class: 'muted' }, money(s.listPrice, s.currency)),
      ' · ',
      el('span', { class: 'phase' }),
      ' · ',
      el('span', { class: 'countdown', role: 'timer' }),
      ' · ',
      el('span', { class: 'stock', 'aria-live': 'polite' }),
      ' ',
      close,
    );
  };
  /** Updates one row in place (keeps focus on its button across ticks). */
  const update = (s: Sale) => {
    let li = rowOf(s.id);
    if (!li) {
      li = build(s);
      list.prepend(li);
    }
    const p = phase(s);
    li.dataset.phase = p;
    li.dataset.remaining = String(s.stock.remaining);
    li.dataset.sold = String(s.stock.sold);
    const soldOut = s.stock.remaining === 0 && s.stock.reserved === 0;
    li.querySelector('.phase')!.textContent = soldOut ? t('sales.soldOut') : t(`sales.phase.${p}`);
    li.querySelector('.countdown')!.textContent = timer(s, p);
    li.querySelector('.stock')!.textContent = stockText(s.stock);
    (li.querySelector('button') as HTMLButtonElement).disabled = p === 'closed';
  };
  const renderAll = () => {
    for (const s of sales.values()) update(s);
  };

  return {
    onSnapshot(s: RoomSnapshot) {
      const c = s.features.commerce as { sales?: Sale[] } | undefined;
      sales.clear();
      list.replaceChildren();
      for (const sale of c?.sales ?? []) sales.set(sale.id, sale);
      renderAll();
    },
    onEvent(e: RoomEvent) {
      if (e.type === 'sale:scheduled') {
        const sale = (e.data as { sale: Sale }).sale;
        const prev = sales.get(sale.id);
        if (!prev || sale.stock.version >= prev.stock.version) sales.set(sale.id, sale);
        update(sales.get(sale.id)!);
      } else if (e.type === 'sale:stock') {
        const d = e.data as SaleCounters & { saleId: string };
        const sale = sales.get(d.saleId);
        if (!sale || d.version < sale.stock.version) return;
        const { initial, remaining, reserved, sold, version } = d;
        sale.stock = { initial, remaining, reserved, sold, version };
        update(sale);
      } else if (e.type === 'sale:closed') {
        const d = e.data as { saleId: string; closesAt: number };
        const sale = sales.get(d.saleId);
        if (!sale) return;
        sale.closesAt = d.closesAt;
        sale.status = 'closed';
        update(sale);
      }
    },
    onTick: renderAll,
    onLang() {
      fillProducts();
      renderAll();
    },
  };
}
