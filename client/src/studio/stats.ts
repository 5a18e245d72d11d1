/**
 * Live panel: likes/min, comments/min, GMV, units sold and conversion, with sparklines over time. There is no
 * live stats route (the commerce report is written after the live), so the figures come from the room's own
 * facts: like totals, `comment:new` events, presence and the sales' `sale:stock` counters (GMV = units sold ×
 * deal price, before coupons). Online/peak/unique/likes stay in the header (room-view.ts).
 */
import type { CommerceReport, Sale, SaleCounters } from '@lc/contracts/commerce.schema';
import type { Presence, RoomEvent, RoomSnapshot } from '@lc/contracts/room.schema';
import { el } from '../dom';
import { t } from '../i18n';
import { sparkline } from './sparkline';
import { button, errorLine, hostOnly, money, type Panel, type StudioCtx, section, tr } from './ui';

const WINDOW_MS = 60_000;
const SAMPLE_EVERY_S = 5;
const SAMPLES = 60;

export function statsPanel(ctx: StudioCtx, mount: HTMLElement): Panel {
  const likeSamples: Array<{ at: number; total: number }> = [];
  const commentTimes: number[] = [];
  const sales = new Map<string, { dealPrice: number; currency: string; sold: number; version: number }>();
  let presence: Presence = { online: 0, unique: 0, peak: 0, joinsLastMinute: 0, leavesLastMinute: 0 };
  let likeTotal = 0;
  let ticks = 0;
  const series = {
    online: [] as number[],
    likes: [] as number[],
    comments: [] as number[],
    gmv: [] as number[],
  };

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
  const charts = {
    online: sparkline(t('stats.chart.online')),
    likes: sparkline(t('stats.chart.likes')),
    comments: sparkline(t('stats.chart.comments')),
    gmv: sparkline(t('stats.chart.gmv')),
  };
  const chartBox = (key: keyof typeof charts, labelKey: string) =>
    el('figure', { class: 'chart', id: `chart-${key}` }, charts[key].svg, tr('figcaption', labelKey));
  // The exact figures (orders, buyers, GMV after discounts) come from the report settlement writes after the live.
  let report: CommerceReport | null = null;
  const reportList = el('dl', { id: 'report', class: 'report' });
  const reportErr = errorLine('report-error');
  const loadReport = button('report.load');
  loadReport.onclick = () =>
    reportErr.run(async () => {
      report = await ctx.rest<CommerceReport>('GET', '/report');
      renderReport();
    });
  const renderReport = () => {
    if (!report) return;
    const sums = (m: Record<string, number>) =>
      Object.entries(m)
        .map(([c, v]) => money(v, c))
        .join(' · ') || '0';
    const rows: [string, string][] = [
      ['report.orders', String(report.orders)],
      ['report.units', String(report.units)],
      ['report.buyers', String(report.buyers)],
      ['report.viewers', String(report.uniqueViewers)],
      ['report.conversion', `${(report.conversion * 100).toFixed(1)}%`],
      ['report.gmv', sums(report.gmv)],
      ['report.discounts', sums(report.discounts)],
      ['report.coupons', String(report.couponsRedeemed)],
    ];
    reportList.replaceChildren(
      ...rows.flatMap(([k, v]) => [el('dt', {}, t(k)), el('dd', { class: 'report-value' }, v)]),
    );
  };
  mount.append(
    section(
      'stats-panel',
      'stats.title',
      el('div', { class: 'figures' }, ...Object.values(f).map((x) => x.node)),
      el(
        'div',
        { class: 'charts' },
        chartBox('online', 'stats.chart.online'),
        chartBox('likes', 'stats.chart.likes'),
        chartBox('comments', 'stats.chart.comments'),
        chartBox('gmv', 'stats.chart.gmv'),
      ),
      tr('p', 'stats.note', { class: 'muted' }),
      hostOnly(tr('h3', 'report.title')),
      hostOnly(loadReport),
      reportErr.line,
      reportList,
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
    f.units.value.textContent = String(g.units);
    f.conversion.value.textContent = presence.unique
      ? `${((g.units / presence.unique) * 100).toFixed(1)}%`
      : '0%';
  };
  const sample = () => {
    const push = (arr: number[], v: number) => {
      arr.push(v);
      if (arr.length > SAMPLES) arr.shift();
    };
    push(series.online, presence.online);
    push(series.likes, likesPerMin());
    push(series.comments, commentsPerMin());
    push(
      series.gmv,
      [...gmv().by.values()].reduce((a, b) => a + b, 0),
    );
    for (const k of Object.keys(charts) as Array<keyof typeof charts>) charts[k].draw(series[k]);
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
      renderReport();
    },
  };
}
