/**
 * The merchant's analytics page (`/analytics.html`): figures across lives from `GET /api/growth/analytics`,
 * charted per period and per live (uPlot) and listed per live in a table. Needs the host session the studio
 * stored; every value goes into the page as text.
 */
import type { AnalyticsFigures, MerchantAnalytics } from '@lc/contracts/analytics.schema';
import { $, el } from '../dom';
import { applyI18n, lang, langSwitch, onLangChange, t } from '../i18n';
import { api, session } from '../live-client';
import { seriesChart } from './series-chart';
import './analytics-strings';
import '../styles/tokens.css';
import '../styles/base.css';
import '../styles/analytics.css';

const status = (text: string) => {
  $('#analytics-status').textContent = text;
};
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const money = (minor: number) => (minor / 100).toLocaleString(lang(), { maximumFractionDigits: 2 });
const gmvOf = (f: AnalyticsFigures) => Object.values(f.gmv).reduce((a, b) => a + b, 0);
const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;
const day = (iso: string) => iso.slice(0, 10);

const COLUMNS: Array<[string, (l: MerchantAnalytics['lives'][number]) => string]> = [
  ['col.live', (l) => l.title],
  ['col.ended', (l) => new Date(l.endedAt).toLocaleString(lang())],
  ['col.viewers', (l) => String(l.uniqueViewers)],
  ['col.returning', (l) => String(l.returningViewers)],
  ['col.d1', (l) => pct(l.retentionD1)],
  ['col.d7', (l) => pct(l.retentionD7)],
  ['col.d30', (l) => pct(l.retentionD30)],
  ['col.watch', (l) => minutes(l.averageWatchMs)],
  ['col.interaction', (l) => pct(l.interactionRate)],
  ['col.ctr', (l) => pct(l.ctr)],
  ['col.conversion', (l) => pct(l.conversion)],
  [
    'col.gmv',
    (l) =>
      Object.entries(l.gmv)
        .map(([c, v]) => `${c} ${money(v)}`)
        .join(' · ') || '0',
  ],
  ['col.repurchase', (l) => pct(l.repurchaseRate)],
  ['col.aovInteracting', (l) => money(l.aovInteracting)],
  ['col.aovOthers', (l) => money(l.aovOthers)],
  ['col.shares', (l) => String(l.shareJoins)],
];

function render(data: MerchantAnalytics) {
  status(
    data.lives.length === 0
      ? t('analytics.empty')
      : t('analytics.range', { from: day(data.from), to: day(data.to), lives: data.lives.length }),
  );
  const p = data.periods;
  const pl = p.map((x) => x.period.slice(5));
  $('#period-charts').replaceChildren(
    seriesChart(
      'chart-period-viewers',
      t('analytics.viewers'),
      pl,
      [
        { label: t('col.viewers'), values: p.map((x) => x.uniqueViewers) },
        { label: t('col.returning'), values: p.map((x) => x.returningViewers) },
      ],
      (v) => String(Math.round(v)),
    ),
    seriesChart(
      'chart-period-rates',
      t('analytics.rates'),
      pl,
      [
        { label: t('col.interaction'), values: p.map((x) => x.interactionRate) },
        { label: t('col.conversion'), values: p.map((x) => x.conversion) },
        { label: t('col.ctr'), values: p.map((x) => x.ctr) },
      ],
      pct,
    ),
    seriesChart(
      'chart-period-gmv',
      t('analytics.gmv'),
      pl,
      [{ label: t('col.gmv'), values: p.map(gmvOf) }],
      money,
    ),
  );
  const l = data.lives;
  const ll = l.map((_, i) => `#${i + 1}`);
  $('#live-charts').replaceChildren(
    seriesChart(
      'chart-live-retention',
      t('analytics.retention'),
      ll,
      [
        { label: t('col.d1'), values: l.map((x) => x.retentionD1) },
        { label: t('col.d7'), values: l.map((x) => x.retentionD7) },
        { label: t('col.d30'), values: l.map((x) => x.retentionD30) },
      ],
      pct,
    ),
  );
  const head = el(
    'tr',
    {},
    el('th', { scope: 'col' }, '#'),
    ...COLUMNS.map(([k]) => el('th', { scope: 'col' }, t(k))),
  );
  const rows = l.map((live, i) =>
    el(
      'tr',
      { 'data-live': live.liveId },
      el('td', {}, String(i + 1)),
      ...COLUMNS.map(([, f]) => el('td', {}, f(live))),
    ),
  );
  $('#live-table').replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
  document.body.dataset.loaded = 'true';
}

async function main() {
  $('#lang-slot').append(langSwitch());
  applyI18n();
  const auth = session.get();
  if (auth?.user.role !== 'host') return status(t('analytics.login'));
  const by = $<HTMLSelectElement>('#analytics-by');
  let last: MerchantAnalytics | undefined;
  const load = async () => {
    status(t('analytics.loading'));
    try {
      last = await api<MerchantAnalytics>(
        'GET',
        `/api/growth/analytics?by=${by.value}`,
        undefined,
        auth.token,
      );
      render(last);
    } catch (err) {
      status(t('analytics.failed', { code: (err as { code?: string }).code ?? 'INTERNAL' }));
    }
  };
  by.addEventListener('change', () => void load());
  onLangChange(() => {
    applyI18n();
    if (last) render(last);
  });
  await load();
}

void main();
