/**
 * Writes a run as `<out>/<scenario>-<time>.json` (machine-readable, everything) and a self-contained `.html`
 * (verdicts, metrics, A/B comparison, latency histogram, throughput over time, server CPU and RSS over time).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunReport } from '../run';
import { esc, fmt, histogramPercent, lineChart } from './svg';

export function writeReports(report: RunReport, outDir: string): { json: string; html: string } {
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, '-').replace(/Z$/, '');
  const base = join(dir, `${report.scenario}-${stamp}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${base}.html`, renderHtml(report));
  return { json: `${base}.json`, html: `${base}.html` };
}

const cell = (v: unknown) =>
  v === null || v === undefined
    ? '<td class="na">—</td>'
    : `<td>${esc(typeof v === 'number' ? fmtNum(v) : String(v))}</td>`;
const fmtNum = (v: number) =>
  Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 3 });
const badge = (pass: boolean) => `<span class="${pass ? 'pass' : 'fail'}">${pass ? 'PASS' : 'FAIL'}</span>`;

export function renderHtml(r: RunReport): string {
  const charts: string[] = [];
  if (r.charts.latency?.series.some((s) => s.points.length)) {
    charts.push(
      lineChart({
        title: `${r.charts.latency.title} — share of samples per bin`,
        xLabel: 'latency, ms (log scale)',
        yLabel: '% of samples',
        logX: true,
        series: r.charts.latency.series.map((s) => ({ name: s.name, points: histogramPercent(s.points) })),
      }),
    );
  }
  const bands = r.timeline.bands;
  if (r.charts.throughput?.series.some((s) => s.points.length)) {
    charts.push(
      lineChart({
        title: `${r.charts.throughput.title} over time`,
        xLabel: 'seconds since start',
        yLabel: r.charts.throughput.unit,
        series: r.charts.throughput.series,
        bands,
      }),
    );
  }
  const series = Object.entries(r.timeline.series);
  if (series.length) {
    charts.push(
      lineChart({
        title: 'CPU over time (% of one core)',
        xLabel: 'seconds since start',
        yLabel: '% CPU',
        bands,
        series: series.map(([name, s]) => ({
          name,
          points: s.filter((x) => x.cpuPercent !== null).map((x) => [x.t, x.cpuPercent!] as [number, number]),
        })),
      }),
      lineChart({
        title: 'RSS over time',
        xLabel: 'seconds since start',
        yLabel: 'MB',
        bands,
        series: series.map(([name, s]) => ({
          name,
          points: s.map((x) => [x.t, x.rssMB] as [number, number]),
        })),
      }),
    );
  }
  const metricRows = Object.entries(r.metrics)
    .map(([k, v]) => `<tr><th>${esc(k)}</th>${cell(v)}</tr>`)
    .join('');
  const roundKeys = [...new Set(r.rounds.flatMap((x) => Object.keys(x.metrics)))];
  const rounds = r.rounds.length
    ? `<table><tr><th>round</th><th>what</th>${roundKeys.map((k) => `<th>${esc(k)}</th>`).join('')}<th>server CPU-s</th><th>server peak RSS MB</th><th>machine CPU % (not ours: other processes, kernel)</th><th>verdicts</th></tr>${r.rounds
        .map(
          (x) =>
            `<tr><td>${x.index + 1}</td><td>${esc(x.label)}</td>${roundKeys.map((k) => cell(x.metrics[k])).join('')}${cell(x.server.cpuSeconds)}${cell(
              x.server.peakRssBytes === null ? null : Math.round(x.server.peakRssBytes / 1e5) / 10,
            )}<td>${x.machine ? `${x.machine.busyPct ?? '—'} (${x.machine.otherPct ?? '—'})` : '—'}</td><td>${x.verdicts.map((v) => `${badge(v.pass)} ${esc(v.name)}`).join('<br>')}</td></tr>`,
        )
        .join('')}</table>`
    : '';
  const comparisons = r.comparisons.length
    ? `<h2>Against the baseline (same run, alternating)</h2><table><tr><th>metric</th><th>baseline</th><th>project rounds</th><th>baseline rounds</th><th>project median</th><th>baseline median</th><th>ratio project ÷ baseline</th></tr>${r.comparisons
        .map(
          (c) =>
            `<tr><th>${esc(c.metric)} (${c.higherIsBetter ? 'higher' : 'lower'} is better)</th><td>${esc(c.baseline)}</td><td>${c.project.map(fmt).join(', ')}</td><td>${c.baselineValues.map(fmt).join(', ')}</td>${cell(c.projectMedian)}${cell(c.baselineMedian)}${cell(c.ratio)}</tr>`,
        )
        .join('')}</table>`
    : '';
  const thresholds = r.thresholds.length
    ? `<h2>Thresholds</h2><table>${r.thresholds
        .map(
          (t) =>
            `<tr><td>${badge(t.pass)}</td><th>${esc(t.expr)}</th><td>actual ${t.actual === null ? 'not measured' : fmt(t.actual)}</td></tr>`,
        )
        .join('')}</table>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.scenario)} — load test ${esc(r.startedAt)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
table{border-collapse:collapse;margin:8px 0 18px;font-size:13px}
td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f6f6;font-weight:600}
.pass{color:#fff;background:#2a8a2a;padding:1px 6px;border-radius:3px;font-weight:700}
.fail{color:#fff;background:#c62828;padding:1px 6px;border-radius:3px;font-weight:700}
.na{color:#999}.chart{display:block;margin:10px 0 22px;max-width:100%;height:auto}
code{background:#f3f3f3;padding:2px 4px}
</style></head><body>
<h1>${esc(r.scenario)} ${badge(r.pass)}</h1>
<p>${esc(r.summary)}${r.benchmark ? ` — benchmark ${esc(r.benchmark)}` : ''}</p>
<p><code>${esc(r.command)}</code></p>
<h2>Verdicts (correctness, checked in the same run)</h2>
<table>${r.verdicts.map((v) => `<tr><td>${badge(v.pass)}</td><th>${esc(v.name)}</th><td>${esc(v.detail)}</td></tr>`).join('')}</table>
${thresholds}
<h2>Metrics</h2><table>${metricRows}</table>
${comparisons}
<h2>Charts</h2>${charts.join('\n')}
<h2>Rounds</h2>${rounds}
<h2>Machine and setup</h2>
<table>
<tr><th>Node</th><td>${esc(r.machine.node)}</td></tr>
<tr><th>OS</th><td>${esc(`${r.machine.platform}, kernel ${r.machine.kernel}`)}</td></tr>
<tr><th>CPUs</th><td>${r.machine.cpus} × ${esc(r.machine.cpuModel)}</td></tr>
<tr><th>Load average (1/5/15 min)</th><td>start ${r.machine.loadAverage.start.join(' / ')}, end ${r.machine.loadAverage.end.join(' / ')}</td></tr>
<tr><th>Pinning</th><td>${esc(r.pinning.note)}</td></tr>
<tr><th>Target</th><td>${esc(r.target.url)}${r.target.spawned ? ' (spawned by the kit)' : ''}; CPU and RSS from ${esc(r.target.resources)}</td></tr>
<tr><th>Started / finished</th><td>${esc(r.startedAt)} / ${esc(r.finishedAt)}</td></tr>
<tr><th>Options</th><td><code>${esc(JSON.stringify(r.options))}</code></td></tr>
</table>
<h2>Notes</h2><ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>
</body></html>
`;
}
