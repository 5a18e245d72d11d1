/**
 * Live line charts for the studio, drawn by uPlot (a small, kept canvas charting library) rather than by hand.
 * Each chart is a figure: the plot is one image to assistive tech, named by its caption and latest value.
 * Colours come from the design tokens; the plot follows its container's width.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { el } from '../dom';

const HEIGHT = 132;
const token = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

export interface LiveChart {
  node: HTMLElement;
  /** Appends a sample (x: server time in ms); keeps the last `max` samples. */
  push(at: number, value: number): void;
  setLabel(caption: string): void;
}

export function liveChart(
  id: string,
  caption: string,
  opts: { color?: string; max?: number; format?: (v: number) => string } = {},
): LiveChart {
  const max = opts.max ?? 150;
  const format = opts.format ?? ((v: number) => String(Math.round(v * 10) / 10));
  const xs: number[] = [];
  const ys: number[] = [];
  const plot = el('div', { class: 'chart-plot', role: 'img' });
  const figcaption = el('figcaption', {}, caption);
  const node = el('figure', { class: 'chart', id }, plot, figcaption);
  let label = caption;
  const color = token(opts.color ?? '--chart-1') || '#e11d48';
  const axis = {
    stroke: token('--text-muted') || '#55556a',
    grid: { stroke: token('--chart-grid') || '#d4d4de', width: 1 },
    ticks: { show: false },
    font: '11px system-ui, sans-serif',
  };
  const chart = new uPlot(
    {
      width: 320,
      height: HEIGHT,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: true }, y: { range: (_u, _min, hi) => [0, Math.max(1, hi * 1.15)] } },
      axes: [axis, { ...axis, size: 44, values: (_u, ticks) => ticks.map(format) }],
      series: [{}, { stroke: color, width: 2, fill: `${color}22`, points: { show: false } }],
    },
    [[], []],
    plot,
  );
  const name = () => {
    const last = ys.at(-1);
    plot.setAttribute('aria-label', last === undefined ? label : `${label}: ${format(last)}`);
    plot.dataset.last = String(last ?? 0);
    plot.dataset.samples = String(ys.length);
  };
  name();
  // NOTE: a hidden tab has no width; the chart resizes when its panel is shown (the tabs fire a resize).
  const fit = () => {
    const w = plot.clientWidth;
    if (w > 0 && w !== chart.width) chart.setSize({ width: w, height: HEIGHT });
  };
  new ResizeObserver(fit).observe(plot);
  window.addEventListener('resize', fit);
  return {
    node,
    push(at, value) {
      xs.push(at / 1000);
      ys.push(value);
      if (xs.length > max) {
        xs.shift();
        ys.shift();
      }
      chart.setData([xs, ys]);
      name();
    },
    setLabel(text) {
      label = text;
      figcaption.textContent = text;
      name();
    },
  };
}
