/**
 * Report tab: the exact figures (orders, buyers, GMV after discounts …) from the commerce report settlement writes
 * after the live (`GET /api/lives/:liveId/report`; NOT_FOUND until then).
 */
import type { CommerceReport } from '@lc/contracts/commerce.schema';
import { el } from '../dom';
import { t } from '../i18n';
import { button, errorLine, hostOnly, money, type Panel, type StudioCtx, section, tr } from './ui';

export function reportPanel(ctx: StudioCtx, mount: HTMLElement): Panel {
  let report: CommerceReport | null = null;
  const list = el('dl', { id: 'report', class: 'report' });
  const err = errorLine('report-error');
  const load = hostOnly(button('report.load', { class: 'primary' }));
  load.onclick = () =>
    err.run(async () => {
      report = await ctx.rest<CommerceReport>('GET', '/report');
      render();
    });
  const render = () => {
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
    list.replaceChildren(
      ...rows.flatMap(([k, v]) => [
        el('div', {}, el('dt', {}, t(k)), el('dd', { class: 'report-value' }, v)),
      ]),
    );
  };
  mount.append(
    section('report-panel', 'report.title', tr('p', 'report.note', { class: 'muted' }), load, err.line, list),
  );
  return { onLang: render };
}
