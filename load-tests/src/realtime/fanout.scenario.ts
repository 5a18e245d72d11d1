/**
 * The fan-out scenario (benchmark #1): project rounds alternating with the plain Socket.IO baseline at the same
 * viewers, rate and payload (A B A B), then medians, ratios and the pooled latency histograms.
 */
import type { Endpoint } from '../lib/processes';
import { LatencyHistogram, median, ratio } from '../lib/stats';
import { defineScenario, type ScenarioResult, type Side, type Verdict } from '../scenario';
import { FanoutOptions, type FanoutRound, fanoutRound } from './fanout-round';
import { PENDING_PUBLISHERS, PUBLISHERS } from './publishers';
import { plainSocketIoTarget, projectTarget } from './room-targets';

export { FanoutOptions, fanoutRound } from './fanout-round';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const fanoutScenario = defineScenario({
  name: 'fanout',
  summary:
    'room fan-out: N viewers, a publisher at R msgs/s; latency, delivered/s, no-gap verdict; vs plain Socket.IO',
  benchmark: '#1',
  options: FanoutOptions,
  help: {
    viewers: 'viewers in the room (default 500)',
    rate: 'messages published per second (default 100)',
    payload:
      'characters per message, sender timestamp included (default 200; comment: ≤ 200, announce: ≤ 500)',
    duration: 'seconds of publishing per round (default 10)',
    publisher: `who publishes: ${Object.values(PUBLISHERS)
      .map((p) => `${p.name} = ${p.summary}`)
      .join(
        '; ',
      )}; pending: ${PENDING_PUBLISHERS.map((p) => `${p.name} (issue ${p.needsIssue})`).join(', ')}`,
    client: 'viewer implementation: wire (raw ws speaking the Socket.IO protocol) or sio (socket.io-client)',
    rounds: 'A B rounds (project, baseline) — medians over them (default 2)',
    baseline: 'on|off: alternate with the plain Socket.IO baseline (default on)',
    drain: 'seconds to wait after publishing for viewers to catch up (default 10)',
    concurrency: 'connections opened at once while joining (default 200)',
  },
  metrics: [
    'delivered_per_s',
    'baseline_delivered_per_s',
    'ratio',
    'p50',
    'p90',
    'p99',
    'max',
    'baseline_p99',
    'missing',
    'duplicates',
    'join_failures',
    'publish_errors',
    'server_cpu_s',
    'server_peak_rss_mb',
    'deliveries_per_cpu_s',
  ],
  async run(ctx, opts): Promise<ScenarioResult> {
    const project = projectTarget(ctx.project);
    const rounds: FanoutRound[] = [];
    for (let i = 0; i < opts.rounds && !ctx.signal.aborted; i++) {
      rounds.push(await fanoutRound(ctx, project, opts, i));
      if (opts.baseline && !ctx.signal.aborted) {
        const base: Endpoint = await ctx.startBaseline('plain-socketio');
        try {
          rounds.push(await fanoutRound(ctx, plainSocketIoTarget(base), opts, i));
        } finally {
          await base.stop();
        }
      }
      await sleep(1000);
    }
    return summarize(rounds, opts);
  },
});

function summarize(rounds: FanoutRound[], opts: FanoutOptions): ScenarioResult {
  const of = (side: Side) => rounds.filter((r) => r.record.side === side);
  const proj = of('project');
  const base = of('baseline');
  const pooled = (rs: FanoutRound[]) => rs.reduce((h, r) => h.merge(r.latency), new LatencyHistogram());
  const pLat = pooled(proj).summary();
  const bLat = pooled(base).summary();
  const values = (rs: FanoutRound[], k: string) =>
    rs.map((r) => r.record.metrics[k]).filter((v): v is number => typeof v === 'number');
  const med = (rs: FanoutRound[], k: string) => median(values(rs, k));
  const sum = (rs: FanoutRound[], k: string) => values(rs, k).reduce((a, b) => a + b, 0);
  const delivered = med(proj, 'delivered_per_s');
  const baseDelivered = med(base, 'delivered_per_s');
  const verdicts: Verdict[] = [];
  for (const name of [
    'no gaps',
    'all viewers joined',
    'every publish acknowledged',
    'no viewer disconnected',
  ]) {
    const per = proj.map((r) => r.record.verdicts.find((v) => v.name === name)!);
    const failed = per.filter((v) => !v.pass);
    verdicts.push({
      name,
      pass: per.length > 0 && failed.length === 0,
      detail: failed.length
        ? failed.map((v, i) => `round ${i + 1}: ${v.detail}`).join('; ')
        : (per[0]?.detail ?? 'no round ran'),
    });
  }
  const peakRss = values(proj, 'server_peak_rss_mb');
  return {
    verdicts,
    metrics: {
      delivered_per_s: delivered,
      baseline_delivered_per_s: baseDelivered,
      ratio: ratio(delivered, baseDelivered),
      p50: pLat.p50,
      p90: pLat.p90,
      p99: pLat.p99,
      max: pLat.max,
      baseline_p99: bLat.p99,
      missing: sum(proj, 'missing'),
      duplicates: sum(proj, 'duplicates'),
      join_failures: sum(proj, 'join_failures'),
      publish_errors: sum(proj, 'publish_errors'),
      server_cpu_s: med(proj, 'server_cpu_s'),
      server_peak_rss_mb: peakRss.length ? Math.max(...peakRss) : null,
      deliveries_per_cpu_s: med(proj, 'deliveries_per_cpu_s'),
    },
    comparisons: base.length
      ? [
          {
            metric: 'delivered_per_s',
            baseline: 'plain Socket.IO, one emit per message to the room',
            higherIsBetter: true,
            project: values(proj, 'delivered_per_s'),
            baselineValues: values(base, 'delivered_per_s'),
            projectMedian: delivered,
            baselineMedian: baseDelivered,
            ratio: ratio(delivered, baseDelivered),
          },
          {
            metric: 'p99',
            baseline: 'plain Socket.IO, one emit per message to the room',
            higherIsBetter: false,
            project: values(proj, 'p99'),
            baselineValues: values(base, 'p99'),
            projectMedian: med(proj, 'p99'),
            baselineMedian: med(base, 'p99'),
            ratio: ratio(med(proj, 'p99'), med(base, 'p99')),
          },
          {
            metric: 'deliveries_per_cpu_s',
            baseline: 'plain Socket.IO, one emit per message to the room',
            higherIsBetter: true,
            project: values(proj, 'deliveries_per_cpu_s'),
            baselineValues: values(base, 'deliveries_per_cpu_s'),
            projectMedian: med(proj, 'deliveries_per_cpu_s'),
            baselineMedian: med(base, 'deliveries_per_cpu_s'),
            ratio: ratio(med(proj, 'deliveries_per_cpu_s'), med(base, 'deliveries_per_cpu_s')),
          },
        ]
      : [],
    rounds: rounds.map((r) => r.record),
    charts: {
      latency: {
        title: 'publish → receive latency',
        series: [
          { name: 'project', points: pooled(proj).buckets() },
          ...(base.length ? [{ name: 'baseline: plain Socket.IO', points: pooled(base).buckets() }] : []),
        ],
      },
      throughput: {
        title: 'deliveries per second',
        unit: 'deliveries/s',
        series: rounds.map((r) => ({
          name: `${r.record.label} #${r.record.index + 1}`,
          points: r.throughput,
        })),
      },
    },
    notes: [
      `${opts.viewers} viewers (${opts.client} clients), ${opts.rate} msgs/s × ${opts.duration} s, ${opts.payload}-character payloads via ${opts.publisher}`,
      'delivered/s counts messages received by viewers during the publishing window; latency is publish→receive from the sender timestamp in the payload',
      ...rounds.flatMap((r) =>
        (r.record.notes ?? []).map((n) => `${r.record.label} #${r.record.index + 1}: ${n}`),
      ),
    ],
    details: { latency: { project: pLat, baseline: base.length ? bLat : null } },
  };
}
