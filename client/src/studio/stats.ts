/**
 * Live panel: likes/min, comments/min, GMV, units sold and conversion, with live charts (uPlot) over time.
 * There is no live stats route (the commerce report is written after the live), so the figures come from the
 * room's own facts: like totals, `comment:new` events, presence and the sales' `sale:stock` counters (GMV =
 * units sold × deal price, before coupons). Online/peak/unique/likes/GMV are also in the header.
 */
import type { Sale, SaleCounters } from '@lc/contracts/commerce.schema';
import type { Presence, RoomEvent, RoomSnapshot } from '@lc/contracts/room.schema';
import { el } from '../dom';
import { t } from '../i18n';
import { liveChart } from './charts';
import { money, type Panel, type StudioCtx, section, tr } from './ui';

const WINDOW_MS = 60_000;
const SAMPLE_EVERY_S = 2;
/** Ten minutes of samples. */
const SAMPLES = 300;

export function statsPanel(ctx: StudioCtx, mount: HTMLElement): Panel {
  const likeSamples: Array<{ at: number; total: number }> = [];
  const commentTimes: number[] = [];
  const sales = new Map<string, { dealPrice: number; currency: string; sold: number; version: number }>();
  let presence: Presence = { online: 0, unique: 0, peak: 0, joinsLastMinute: 0, leavesLastMinute: 0 };
  let likeTotal = 0;
  let ticks = 0;

  const figure = (id: string, key: string) => {
    const value = el('b', { id }, '0');
    return { value, node: el('div', { class: 'figure' }, tr('span', key), ' ', value) };
  };
  const f = {
    likes: figure('likes-rate', 'stats.likesPerMin'),
    comments: figure('comments-rate', 'stats.commentsPerMin'),
    gmv: figure('gmv', 'stats.gmv'),
    units: figure('units-sold', 'stats.unitsSold'),
    conversion: figure('conversion', 'stats.conversion'),
  };
  const gmvTotal = () => [...gmv().by.values()].reduce((a, b) => a + b, 0);
  const currency = () => [...sales.values()][0]?.currency ?? 'CNY';
  const charts = {
    online: liveChart('chart-online', t('stats.chart.online'), { max: SAMPLES }),
    likes: liveChart('chart-likes', t('stats.chart.likes'), { max: SAMPLES, color: '--chart-2' }),
    comments: liveChart('chart-comments', t('stats.chart.comments'), { max: SAMPLES, color: '--chart-2' }),
    gmv: liveChart('chart-gmv', t('stats.chart.gmv'), {
      max: SAMPLES,
      format: (v) => money(v, currency()).replace(/\.00 /, ' '),
    }),
  };
  mount.append(
    section(
      'stats-panel',
      'stats.title',
      el('div', { class: 'figures' }, ...Object.values(f).map((x) => x.node)),
      el('div', { class: 'charts' }, ...Object.values(charts).map((c) => c.node)),
      tr('p', 'stats.note', { class: 'muted' }),
    ),
  );

  const likesPerMin = () => {
    const now = Date.now();
    while (likeSamples.length > 1 && now - likeSamples[1]!.at >= WINDOW_MS) likeSamples.shift();
    const first = likeSamples[0];
    return first ? likeTotal - first.total : 0;
  };
  const commentsPerMin = () => {
    const from = ctx.now() - WINDOW_MS;
    while (commentTimes.length && commentTimes[0]! < from) commentTimes.shift();
    return commentTimes.length;
  };
  const gmv = () => {
    const by = new Map<string, number>();
    let units = 0;
    for (const s of sales.values()) {
      by.set(s.currency, (by.get(s.currency) ?? 0) + s.sold * s.dealPrice);
      units += s.sold;
    }
    return { by, units };
  };
  const render = () => {
    f.likes.value.textContent = String(likesPerMin());
    f.comments.value.textContent = String(commentsPerMin());
    const g = gmv();
    f.gmv.value.textContent = g.by.size ? [...g.by].map(([c, v]) => money(v, c)).join(' · ') : '0';
    const head = document.getElementById('head-gmv');
    if (head) head.textContent = f.gmv.value.textContent;
    f.units.value.textContent = String(g.units);
    f.conversion.value.textContent = presence.unique
      ? `${((g.units / presence.unique) * 100).toFixed(1)}%`
      : '0%';
  };
  const sample = () => {
    const at = ctx.now();
    charts.online.push(at, presence.online);
    charts.likes.push(at, likesPerMin());
    charts.comments.push(at, commentsPerMin());
    charts.gmv.push(at, gmvTotal());
  };
  const trackSale = (sale: Sale) =>
    sales.set(sale.id, {
      dealPrice: sale.dealPrice,
      currency: sale.currency,
      sold: sale.stock.sold,
      version: sale.stock.version,
    });

  return {
    onSnapshot(s: RoomSnapshot) {
      presence = s.presence;
      likeTotal = (s.features.likes as { total?: number } | undefined)?.total ?? 0;
      likeSamples.splice(0, likeSamples.length, { at: Date.now(), total: likeTotal });
      const commerce = s.features.commerce as { sales?: Sale[] } | undefined;
      for (const sale of commerce?.sales ?? []) trackSale(sale);
      commentTimes.splice(0, commentTimes.length);
      for (const e of s.recent) if (e.type === 'comment:new') commentTimes.push(e.at);
      render();
      sample();
    },
    onEvent(e: RoomEvent) {
      if (e.type === 'comment:new') commentTimes.push(e.at);
      if (e.type === 'sale:scheduled') trackSale((e.data as { sale: Sale }).sale);
      if (e.type === 'sale:stock') {
        const d = e.data as SaleCounters & { saleId: string };
        const s = sales.get(d.saleId);
        if (s && d.version >= s.version) Object.assign(s, { sold: d.sold, version: d.version });
      }
      render();
    },
    onPresence(p) {
      presence = p;
      render();
    },
    onLikes(total) {
      likeTotal = total;
      likeSamples.push({ at: Date.now(), total });
      render();
    },
    onTick() {
      render();
      if (++ticks % SAMPLE_EVERY_S === 0) sample();
    },
    onLang() {
      for (const k of Object.keys(charts) as Array<keyof typeof charts>)
        charts[k].setLabel(t(`stats.chart.${k}`));
    },
  };
}
