/**
 * A chart of several series over labelled points (periods or lives), drawn by uPlot. The plot is one image to
 * assistive tech, named by its caption; the figures themselves are also in the page's table, as text.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { el } from '../dom';

const HEIGHT = 200;
const COLORS = ['--chart-1', '--chart-2', '--chart-3'];
const FALLBACK = ['#e11d48', '#6d28d9', '#0e7490'];
const token = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

export interface SeriesSpec {
  label: string;
  values: number[];
}

export function seriesChart(
  id: string,
  caption: string,
  labels: string[],
  series: SeriesSpec[],
  format: (v: number) => string,
): HTMLElement {
  const plot = el('div', { class: 'chart-plot', role: 'img', 'aria-label': caption });
  plot.dataset.points = String(labels.length);
  const node = el('figure', { class: 'chart', id }, plot, el('figcaption', {}, caption));
  const axis = {
    stroke: token('--text-muted') || '#55556a',
    grid: { stroke: token('--chart-grid') || '#d4d4de', width: 1 },
    ticks: { show: false },
    font: '11px system-ui, sans-serif',
  };
  const xs = labels.map((_, i) => i);
  // NOTE: built once the figure is in the document, so it takes its container's width.
  queueMicrotask(() => {
    const chart = new uPlot(
      {
        width: Math.max(280, plot.clientWidth),
        height: HEIGHT,
        cursor: { show: false },
        scales: { x: { time: false }, y: { range: (_u, _min, hi) => [0, Math.max(hi * 1.15, 1e-9)] } },
        axes: [
          { ...axis, values: (_u, ticks) => ticks.map((t) => labels[t] ?? '') },
          { ...axis, size: 56, values: (_u, ticks) => ticks.map(format) },
        ],
        series: [
          { label: '' },
          ...series.map((s, i) => {
            const color = token(COLORS[i % COLORS.length]!) || FALLBACK[i % FALLBACK.length]!;
            return {
              label: s.label,
              stroke: color,
              width: 2,
              points: { show: true, size: 5 },
              value: (_u: uPlot, v: number | null) => (v === null ? '' : format(v)),
            };
          }),
        ],
      },
      [xs, ...series.map((s) => s.values)],
      plot,
    );
    new ResizeObserver(() => {
      const w = plot.clientWidth;
      if (w > 0 && w !== chart.width) chart.setSize({ width: w, height: HEIGHT });
    }).observe(plot);
    plot.dataset.ready = 'true';
  });
  return node;
}
