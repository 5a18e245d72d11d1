/**
 * Room fan-out (benchmark #1): N viewers in one room, a publisher posting R messages/s of P characters for D
 * seconds. Measures publish→receive latency (from the sender's timestamp in the payload), delivered messages/s
 * and server CPU/RSS; verdict: every viewer applied every seq exactly once. Alternates with the plain Socket.IO
 * baseline (one emit per message to the room) at the same N, R and P: A B A B, medians, ratio.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Endpoint } from '../lib/processes';
import { measure } from '../lib/resources';
import { LatencyHistogram, median, nowMs, ratio, round } from '../lib/stats';
import { int, num, oneOf, onOff } from '../options';
import {
  defineScenario,
  type RoundRecord,
  type ScenarioContext,
  type ScenarioResult,
  type Side,
  type Verdict,
} from '../scenario';
import { type SwarmVerdict, swarmVerdict } from './gap-checker';
import {
  decodePayload,
  encodePayload,
  MIN_PAYLOAD,
  PENDING_PUBLISHERS,
  PUBLISHERS,
  type Publisher,
} from './publishers';
import { CLIENT_KINDS, type ClientKind, connectClient } from './room-client';
import { plainSocketIoTarget, projectTarget, type RoomTarget } from './room-targets';
import { closeSwarm, joinSwarm } from './swarm';

const publisherNames = [...Object.keys(PUBLISHERS), ...PENDING_PUBLISHERS.map((p) => p.name)];

export const FanoutOptions = z
  .object({
    viewers: int(1, 50_000).default(200),
    rate: num(0.1, 10_000).default(100),
    payload: int(MIN_PAYLOAD, 65_536).default(200),
    duration: num(1, 600).default(10),
    publisher: z
      .string()
      .default('announce')
      .superRefine((name, ctx) => {
        const pending = PENDING_PUBLISHERS.find((p) => p.name === name);
        if (pending)
          ctx.addIssue({
            code: 'custom',
            message: `"${name}" is not available yet (needs issue ${pending.needsIssue})`,
          });
        else if (!PUBLISHERS[name])
          ctx.addIssue({ code: 'custom', message: `must be one of: ${publisherNames.join(', ')}` });
      }),
    client: oneOf(CLIENT_KINDS).default('wire'),
    rounds: int(1, 10).default(2),
    baseline: onOff.default(true),
    drain: num(0, 300).default(10),
    concurrency: int(1, 5000).default(200),
  })
  .superRefine((o, ctx) => {
    const p = PUBLISHERS[o.publisher];
    if (p && o.payload > p.maxPayload) {
      ctx.addIssue({
        code: 'custom',
        path: ['payload'],
        message: `the ${p.name} publisher accepts at most ${p.maxPayload} characters`,
      });
    }
  });
export type FanoutOptions = z.infer<typeof FanoutOptions>;

const MAX_PUBLISH_INFLIGHT = 2000;

export interface FanoutRound {
  record: RoundRecord;
  latency: LatencyHistogram;
  /** [timeline s, deliveries in that second]. */
  throughput: [number, number][];
  verdict: SwarmVerdict;
}

/** One round against one room target. Exported for the smoke test (e.g. against a baseline that drops). */
export async function fanoutRound(
  ctx: Pick<ScenarioContext, 'progress' | 'timeline' | 'signal'>,
  target: RoomTarget,
  opts: FanoutOptions,
  index: number,
): Promise<FanoutRound> {
  const publisher: Publisher = PUBLISHERS[opts.publisher]!;
  const label = target.side === 'project' ? 'project' : target.endpoint.label;
  const name = `fanout ${label} round ${index + 1}`;
  const say = (s: string) => ctx.progress.update(`${name} · ${s}`);
  const notes: string[] = [];

  say(`preparing ${opts.viewers} viewers`);
  const room = await target.prepare(opts.viewers, (n) => say(`guest tokens ${n}/${opts.viewers}`));
  const run = randomBytes(4).toString('hex');
  const latency = new LatencyHistogram();
  const total = Math.max(1, Math.round(opts.rate * opts.duration));
  const windowMs = opts.duration * 1000;
  let t0 = Number.POSITIVE_INFINITY;
  let delivered = 0;
  let deliveredInWindow = 0;
  const perSecond: number[] = [];

  const swarm = await joinSwarm({
    kind: opts.client as ClientKind,
    url: target.endpoint.url,
    liveId: room.liveId,
    tokens: room.viewerTokens,
    concurrency: opts.concurrency,
    signal: ctx.signal,
    onProgress: (s) => say(`joining ${s.joined}/${opts.viewers}${s.failed ? ` (${s.failed} failed)` : ''}`),
    onFrame: (viewer, frame, at) => {
      for (const ev of viewer.checker.accept(frame.events)) {
        const text = publisher.extract(ev);
        const p = text === undefined ? undefined : decodePayload(run, text);
        if (!p) continue;
        latency.record(at - p.sentAtMs);
        delivered++;
        const ms = at - t0;
        if (ms <= windowMs) deliveredInWindow++;
        const sec = Math.floor(ms / 1000);
        if (sec >= 0) perSecond[sec] = (perSecond[sec] ?? 0) + 1;
      }
    },
  });
  const viewers = swarm.viewers;

  const host = await connectClient(opts.client as ClientKind, target.endpoint.url, room.hostToken);
  const endBand = ctx.timeline.band(`${label} #${index + 1}`, target.side);
  const server = await measure(target.endpoint.resources);
  const generator = await measure({ kind: 'self' });

  // Publish at the offered rate for `duration` seconds, without waiting for acks (bounded in flight).
  let sent = 0;
  let acked = 0;
  let inflight = 0;
  let skipped = 0;
  let lastSeq = 0;
  const errors: Record<string, number> = {};
  const fail = (code: string) => {
    errors[code] = (errors[code] ?? 0) + 1;
  };
  t0 = nowMs();
  const tl0 = ctx.timeline.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((nowMs() - t0) * opts.rate) / 1000) + 1);
      while (sent < due) {
        sent++;
        if (inflight >= MAX_PUBLISH_INFLIGHT) {
          skipped++;
          continue;
        }
        const cmd = publisher.command(room.liveId, encodePayload(run, sent, nowMs(), opts.payload));
        inflight++;
        host.call<{ seq: number }>(cmd.event, cmd.payload, 30_000).then(
          (r) => {
            inflight--;
            if (r.ok) {
              acked++;
              if (r.data.seq > lastSeq) lastSeq = r.data.seq;
            } else fail(r.error.code);
          },
          (err: Error) => {
            inflight--;
            fail(err.message.replace(/\d+/g, 'N'));
          },
        );
      }
      const secs = (nowMs() - t0) / 1000;
      say(
        `publishing ${secs.toFixed(1)}/${opts.duration} s · sent ${sent}/${total} · delivered ${delivered} (${Math.round(delivered / Math.max(secs, 0.001))}/s) · p99 ${latency.quantile(0.99)?.toFixed(0) ?? '-'} ms`,
      );
      if (sent >= total || ctx.signal.aborted) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, Math.max(1, Math.min(10, 1000 / opts.rate)));
    tick();
  });
  const publishEnd = nowMs();

  // Acks, then the room's final seq, then the drain: every viewer reaches it or the drain time is up.
  const ackDeadline = nowMs() + 30_000;
  while (inflight > 0 && nowMs() < ackDeadline) await sleep(20);
  if (inflight > 0) notes.push(`${inflight} publishes still unacknowledged 30 s after the last send`);
  const finalSeq = await target.finalSeq(room, lastSeq);
  const drainDeadline = nowMs() + opts.drain * 1000;
  for (;;) {
    const behind = viewers.filter((v) => v.checker.seq < finalSeq).length;
    say(`draining · ${behind} viewers behind seq ${finalSeq} · delivered ${delivered}`);
    if (behind === 0 || nowMs() >= drainDeadline || ctx.signal.aborted) break;
    await sleep(50);
  }
  const drainedAt = nowMs();
  const serverUsage = await server.stop();
  const generatorUsage = await generator.stop();
  endBand();
  const verdict = swarmVerdict(
    viewers.map((v) => v.checker),
    finalSeq,
  );
  const lost = viewers.filter((v) => v.lost).length;
  host.close();
  await closeSwarm(viewers);

  const offered = acked * viewers.length;
  const published = sent - skipped;
  const lat = latency.summary();
  const windowSecs = (publishEnd - t0) / 1000;
  const metrics = {
    viewers: viewers.length,
    published,
    acked,
    delivered,
    offered_deliveries: offered,
    undelivered: Math.max(0, offered - delivered),
    delivered_per_s: round(deliveredInWindow / Math.max(windowSecs, 0.001), 1),
    offered_per_s: round(viewers.length * opts.rate, 1),
    p50: lat.p50,
    p90: lat.p90,
    p99: lat.p99,
    max: lat.max,
    drain_s: round((drainedAt - publishEnd) / 1000, 2),
    server_cpu_s: serverUsage.cpuSeconds,
    server_peak_rss_mb: serverUsage.peakRssBytes === null ? null : round(serverUsage.peakRssBytes / 1e6, 1),
    deliveries_per_cpu_s:
      serverUsage.cpuSeconds && serverUsage.cpuSeconds > 0
        ? round(delivered / serverUsage.cpuSeconds, 0)
        : null,
    generator_cpu_pct: generatorUsage.cpuPercent,
    missing: verdict.missing,
    duplicates: verdict.duplicates,
    join_failures: swarm.failed,
    publish_errors: Object.values(errors).reduce((a, b) => a + b, 0) + skipped,
  };
  if (skipped)
    notes.push(`${skipped} messages not sent: ${MAX_PUBLISH_INFLIGHT} publishes were already awaiting acks`);
  if ((generatorUsage.cpuPercent ?? 0) > 90) {
    notes.push(
      `the generator used ${generatorUsage.cpuPercent}% of its core: delivered/s is bounded by the generator, a lower bound of the server's`,
    );
  }
  const verdicts: Verdict[] = [
    { name: 'no gaps', pass: verdict.ok, detail: verdict.detail },
    {
      name: 'all viewers joined',
      pass: swarm.failed === 0,
      detail: swarm.failed
        ? `${swarm.failed} failed: ${JSON.stringify(swarm.failures)}`
        : `${viewers.length} joined`,
    },
    {
      name: 'every publish acknowledged',
      pass: metrics.publish_errors === 0 && inflight === 0,
      detail:
        metrics.publish_errors || inflight
          ? `${metrics.publish_errors} failed ${JSON.stringify(errors)}, ${inflight} unacknowledged`
          : `${acked} of ${sent} acked ok`,
    },
    {
      name: 'no viewer disconnected',
      pass: lost === 0,
      detail: lost ? `${lost} viewers lost their connection during the round` : 'none',
    },
  ];
  return {
    record: {
      side: target.side,
      label,
      index,
      metrics,
      server: serverUsage,
      generator: generatorUsage,
      verdicts,
      notes,
    },
    latency,
    throughput: perSecond.map((n, s) => [round(tl0 + s + 0.5, 2), n ?? 0] as [number, number]),
    verdict,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const fanoutScenario = defineScenario({
  name: 'fanout',
  summary:
    'room fan-out: N viewers, a publisher at R msgs/s; latency, delivered/s, no-gap verdict; vs plain Socket.IO',
  benchmark: '#1',
  options: FanoutOptions,
  help: {
    viewers: 'viewers in the room (default 200)',
    rate: 'messages published per second (default 100)',
    payload: 'characters per message, sender timestamp included (default 200; announce: ≤ 500)',
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
