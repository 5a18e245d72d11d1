/**
 * Inline SVG line charts for the self-contained HTML report (no charting library, no network): linear or log x,
 * optional shaded bands (the A/B rounds), a legend. Inputs are plain [x, y] points.
 */

export interface LineSeries {
  name: string;
  points: [number, number][];
}

export interface ChartBand {
  from: number;
  to: number;
  label: string;
  side: string;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const BAND_FILL: Record<string, string> = { project: '#2ca02c22', baseline: '#7f7f7f22', other: '#1f77b411' };

export const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function niceStep(span: number, ticks: number): number {
  const raw = span / Math.max(1, ticks);
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  const norm = raw / mag;
  return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
}

export const fmt = (v: number): string => {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  if (a >= 100) return `${Math.round(v)}`;
  if (a >= 1) return `${+v.toFixed(2)}`;
  return `${+v.toPrecision(2)}`;
};

export function lineChart(o: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  logX?: boolean;
  bands?: ChartBand[];
  width?: number;
  height?: number;
}): string {
  const W = o.width ?? 760;
  const H = o.height ?? 280;
  const m = { l: 64, r: 16, t: 34, b: 44 };
  const pts = o.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (pts.length === 0) {
    return `<svg class="chart" role="img" viewBox="0 0 ${W} 60" width="${W}"><title>${esc(o.title)}: no data</title><text x="8" y="24" font-weight="600">${esc(o.title)}</text><text x="8" y="46" fill="#666">no data</text></svg>`;
  }
  const tx = (x: number) => (o.logX ? Math.log10(Math.max(x, 1e-3)) : x);
  let x0 = Math.min(...pts.map(([x]) => tx(x)), ...(o.bands ?? []).map((b) => tx(b.from)));
  let x1 = Math.max(...pts.map(([x]) => tx(x)), ...(o.bands ?? []).map((b) => tx(b.to)));
  if (x1 === x0) {
    x0 -= 1;
    x1 += 1;
  }
  const y1 = Math.max(...pts.map(([, y]) => y)) * 1.08 || 1;
  const px = (x: number) => m.l + ((tx(x) - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - (y / y1) * (H - m.t - m.b);
  const out: string[] = [];
  out.push(
    `<svg class="chart" role="img" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<title>${esc(o.title)}</title>`,
  );
  out.push(`<text x="${m.l}" y="18" font-size="13" font-weight="600">${esc(o.title)}</text>`);
  for (const b of o.bands ?? []) {
    const a = px(b.from);
    const w = Math.max(1, px(b.to) - a);
    out.push(
      `<rect x="${a.toFixed(1)}" y="${m.t}" width="${w.toFixed(1)}" height="${H - m.t - m.b}" fill="${BAND_FILL[b.side] ?? BAND_FILL.other}"/>`,
      `<text x="${(a + 3).toFixed(1)}" y="${m.t + 11}" fill="#555" font-size="10">${esc(b.label)}</text>`,
    );
  }
  // y grid
  const ys = niceStep(y1, 5);
  for (let y = 0; y <= y1; y += ys) {
    out.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${py(y).toFixed(1)}" y2="${py(y).toFixed(1)}" stroke="#e5e5e5"/>`,
      `<text x="${m.l - 6}" y="${(py(y) + 4).toFixed(1)}" text-anchor="end" fill="#444">${fmt(y)}</text>`,
    );
  }
  // x ticks
  const xt: number[] = [];
  if (o.logX) {
    for (let e = Math.floor(x0); e <= Math.ceil(x1); e++)
      if (e >= x0 - 1e-9 && e <= x1 + 1e-9) xt.push(10 ** e);
  } else {
    const xs = niceStep(x1 - x0, 8);
    for (let x = Math.ceil(x0 / xs) * xs; x <= x1; x += xs) xt.push(x);
  }
  for (const x of xt) {
    out.push(
      `<line x1="${px(x).toFixed(1)}" x2="${px(x).toFixed(1)}" y1="${H - m.b}" y2="${H - m.b + 4}" stroke="#444"/>`,
      `<text x="${px(x).toFixed(1)}" y="${H - m.b + 16}" text-anchor="middle" fill="#444">${fmt(x)}</text>`,
    );
  }
  out.push(
    `<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#444"/>`,
    `<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#444"/>`,
    `<text x="${(m.l + W - m.r) / 2}" y="${H - 6}" text-anchor="middle" fill="#222">${esc(o.xLabel)}</text>`,
    `<text transform="translate(14 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle" fill="#222">${esc(o.yLabel)}</text>`,
  );
  o.series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    const p = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (p.length === 0) return;
    const d = p.map(([x, y], j) => `${j ? 'L' : 'M'}${px(x).toFixed(1)} ${py(y).toFixed(1)}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${c}" stroke-width="1.6"/>`);
    if (p.length === 1)
      out.push(`<circle cx="${px(p[0]![0]).toFixed(1)}" cy="${py(p[0]![1]).toFixed(1)}" r="3" fill="${c}"/>`);
    const ly = m.t + 4 + i * 14;
    out.push(
      `<rect x="${W - m.r - 190}" y="${ly}" width="10" height="10" fill="${c}"/>`,
      `<text x="${W - m.r - 176}" y="${ly + 9}" fill="#222">${esc(s.name.slice(0, 32))}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('');
}

/** Re-bins a fine log histogram ([upper ms, count]) into ~10%-wide bins, as percent of samples per bin. */
export function histogramPercent(points: [number, number][], growth = 1.1): [number, number][] {
  const total = points.reduce((a, [, c]) => a + c, 0);
  if (!total) return [];
  const bins = new Map<number, number>();
  for (const [upper, c] of points) {
    const k = Math.ceil(Math.log(upper / 0.01) / Math.log(growth));
    bins.set(k, (bins.get(k) ?? 0) + c);
  }
  const keys = [...bins.keys()].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (let k = keys[0]!; k <= keys.at(-1)!; k++)
    out.push([0.01 * growth ** k, ((bins.get(k) ?? 0) / total) * 100]);
  return out;
}
