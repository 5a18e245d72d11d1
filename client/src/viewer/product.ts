/**
 * The pinned product ("now explaining") with its flash sale: countdown to open and to close on the SERVER
 * clock (deadlines from the snapshot and `sale:*` events), live stock from `sale:stock`, and the buy flow.
 * Drawn twice: the docked card over the video and the detail in the shop sheet, where the buy flow runs.
 */
import type { CommerceSnapshot, Coupon, Product, Sale, SaleCounters } from '@lc/contracts/commerce.schema';
import { $, el } from '../dom';
import { t } from '../i18n';
import { toast } from '../toast';
import { type BuyFlow, buyFlow } from './buy';
import { catalogView, dockView, stockBar, thumb } from './dock';
import { COMMERCE_EVENT } from './events';
import { countdown, feature, money, type Panel, type ViewerCtx } from './panel';

type Phase = 'scheduled' | 'countdown' | 'open' | 'closed';

export function phaseOf(s: Sale, now: number): Phase {
  if (now >= s.closesAt) return 'closed';
  if (now >= s.opensAt) return 'open';
  if (now >= s.countdownAt) return 'countdown';
  return 'scheduled';
}

export function productPanel(ctx: ViewerCtx, coupons: () => Coupon[]): Panel {
  const card = $('#product');
  const products = new Map<string, Product>();
  const sales = new Map<string, Sale>();
  let pinned: string | null = null;
  const flow: BuyFlow = buyFlow(ctx, () => coupons().filter((c) => c.mine.claimed > 0));

  const image = thumb('product-image');
  const badge = el('h3', { id: 'product-badge', class: 'badge-now' });
  const title = el('p', { id: 'product-title', class: 'product-title' });
  const price = el('p', { id: 'product-price', class: 'price' });
  const timer = el('p', { id: 'sale-countdown', class: 'countdown', 'aria-live': 'off' });
  const stock = el('p', { id: 'sale-stock', 'aria-live': 'polite' });
  const bar = stockBar();
  card.append(image.node, badge, title, price, timer, bar.node, stock, flow.node);
  const dock = dockView();
  const catalog = catalogView();
  const list = () => catalog([...products.values()], pinned);

  /** The sale to show: the pinned product's newest unfinished one, else the newest unfinished sale. */
  function current(now: number): { product: Product | undefined; sale: Sale | undefined } {
    const live = [...sales.values()].filter((s) => s.closesAt > now).sort((a, b) => b.opensAt - a.opensAt);
    const sale = (pinned ? live.find((s) => s.productId === pinned) : undefined) ?? live[0];
    const product = products.get(pinned ?? '') ?? (sale ? products.get(sale.productId) : undefined);
    return { product, sale: sale && (!product || sale.productId === product.id) ? sale : undefined };
  }

  function render() {
    const now = ctx.clock.now();
    const { product, sale } = current(now);
    card.hidden = !product && !sale;
    const phase = sale ? phaseOf(sale, now) : undefined;
    const soldOut = !!sale && sale.stock.remaining <= 0;
    dock({
      product,
      sale,
      timer: sale && phase ? timerText(sale, phase, now) : '',
      cta: !sale || phase === 'closed' ? 'view' : soldOut ? 'soldOut' : phase === 'open' ? 'buy' : 'soon',
    });
    if (card.hidden) return;
    image.set(product?.imageUrl ?? sale?.imageUrl);
    badge.textContent = t('product.now');
    title.textContent = product?.title ?? sale?.title ?? '';
    card.dataset.productId = product?.id ?? sale?.productId ?? '';
    const currency = sale?.currency ?? product?.currency ?? 'CNY';
    price.replaceChildren();
    if (sale) {
      price.append(
        el('b', { class: 'deal' }, money(sale.dealPrice, currency)),
        ' ',
        el(
          's',
          {},
          el('span', { class: 'sr-only' }, `${t('product.list')} `),
          money(sale.listPrice, currency),
        ),
      );
    } else if (product) price.append(el('b', {}, money(product.price, currency)));
    timer.hidden = stock.hidden = bar.node.hidden = flow.node.hidden = !sale;
    if (!sale || !phase) return;
    timer.dataset.phase = phase;
    timer.dataset.saleId = sale.id;
    timer.dataset.deadline = String(phase === 'open' ? sale.closesAt : sale.opensAt);
    timer.textContent = timerText(sale, phase, now);
    bar.set(sale.stock.remaining, sale.stock.initial);
    stock.dataset.remaining = String(sale.stock.remaining);
    stock.dataset.soldOut = String(soldOut);
    stock.textContent = soldOut
      ? t('sale.soldOut')
      : t('sale.stock', { remaining: sale.stock.remaining, initial: sale.stock.initial });
    flow.update(sale, phase === 'open', soldOut);
  }

  function timerText(sale: Sale, phase: Phase, now: number): string {
    if (phase === 'countdown') return t('sale.opensIn', { time: countdown(sale.opensAt - now) });
    if (phase === 'open') return t('sale.endsIn', { time: countdown(sale.closesAt - now) });
    if (phase === 'scheduled') {
      return t('sale.scheduled', { time: new Date(sale.opensAt - ctx.clock.offset).toLocaleTimeString() });
    }
    return t('sale.ended');
  }

  return {
    snapshot(s) {
      const c = feature<CommerceSnapshot>(s, 'commerce');
      products.clear();
      sales.clear();
      for (const p of c?.products ?? []) products.set(p.id, p);
      for (const sl of c?.sales ?? []) sales.set(sl.id, sl);
      pinned = c?.pinnedProductId ?? null;
      list();
      render();
      flow.resume(c?.reservations ?? [], ctx.clock.now());
    },
    event(e) {
      const d = e.data as Record<string, unknown>;
      switch (e.type) {
        case COMMERCE_EVENT.productUpserted: {
          const p = d.product as Product;
          products.set(p.id, p);
          break;
        }
        case COMMERCE_EVENT.productRemoved:
          products.delete(String(d.productId));
          break;
        case COMMERCE_EVENT.productPinned: {
          const p = d.product as Product | undefined;
          if (p) products.set(p.id, p);
          pinned = (d.productId as string | null) ?? null;
          break;
        }
        case COMMERCE_EVENT.saleScheduled: {
          const sl = d.sale as Sale;
          sales.set(sl.id, sl);
          break;
        }
        case COMMERCE_EVENT.saleClosed: {
          const sl = sales.get(String(d.saleId));
          if (sl) sl.closesAt = Math.min(sl.closesAt, Number(d.closesAt));
          break;
        }
        case COMMERCE_EVENT.saleStock: {
          const sl = sales.get(String(d.saleId));
          const next = d as unknown as SaleCounters;
          // NOTE: stock events may cross nodes: keep the highest version seen.
          if (sl && next.version >= sl.stock.version) {
            // The sale on the card just ran out: say so, once (the buy button already changed).
            if (
              sl.stock.remaining > 0 &&
              next.remaining <= 0 &&
              current(ctx.clock.now()).sale?.id === sl.id
            ) {
              toast(t('sale.soldOutToast', { title: sl.title }), 'info');
            }
            sl.stock = {
              initial: next.initial,
              remaining: next.remaining,
              reserved: next.reserved,
              sold: next.sold,
              version: next.version,
            };
          }
          break;
        }
        default:
          return;
      }
      if (e.type.startsWith('product:')) list();
      render();
    },
    fact(f) {
      flow.fact(f);
    },
    tick: render,
    relabel() {
      list();
      render();
      flow.relabel();
    },
  };
}
