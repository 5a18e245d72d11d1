/**
 * One fan-out round (benchmark #1; fanout.scenario.ts alternates them): N viewers join a fresh room, a publisher
 * posts R messages/s of P characters for D seconds, then a bounded drain. Measures publish→receive latency (from
 * the sender's timestamp in the payload, split at the server's log stamp), delivered messages/s and the server's
 * CPU/RSS; verdicts: every viewer applied every seq exactly once, all joined, every publish acked, none dropped.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { measureRound } from '../lib/round-usage';
import { LatencyHistogram, nowMs, round } from '../lib/stats';
import { int, num, oneOf, onOff } from '../options';
import type { RoundRecord, ScenarioContext, Verdict } from '../scenario';
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
import type { RoomTarget } from './room-targets';
import { closeSwarm, joinSwarm } from './swarm';

const publisherNames = [...Object.keys(PUBLISHERS), ...PENDING_PUBLISHERS.map((p) => p.name)];

export const FanoutOptions = z
  .object({
    viewers: int(1, 50_000).default(500),
    rate: num(0.1, 10_000).default(100),
    payload: int(MIN_PAYLOAD, 65_536).default(200),
    duration: num(1, 600).default(10),
    publisher: z
      .string()
      .default('comment')
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
  // The server stamps `at` when it appends to the room log: latency splits into publish→log and log→viewer.
  const toLog = new LatencyHistogram();
  const fromLog = new LatencyHistogram();
  const payloads = new WeakMap<object, { sentAtMs: number } | null>();
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
        // NOTE: viewers share decoded frames (wire client), so each event is decoded once for all of them.
        let p = payloads.get(ev);
        if (p === undefined) {
          const text = publisher.extract(ev);
          p = (text === undefined ? undefined : decodePayload(run, text)) ?? null;
          payloads.set(ev, p);
        }
        if (!p) continue;
        latency.record(at - p.sentAtMs);
        toLog.record(ev.at - p.sentAtMs);
        fromLog.record(at - ev.at);
        delivered++;
        const ms = at - t0;
        if (ms <= windowMs) deliveredInWindow++;
        const sec = Math.floor(ms / 1000);
        if (sec >= 0) perSecond[sec] = (perSecond[sec] ?? 0) + 1;
      }
    },
  });
  const viewers = swarm.viewers;

  const host =
    publisher.as === 'host'
      ? await connectClient(opts.client as ClientKind, target.endpoint.url, room.hostToken)
      : undefined;
  const senderOf = (n: number) => host ?? viewers[n % viewers.length]?.client;
  const endBand = ctx.timeline.band(`${label} #${index + 1}`, target.side);
  const usage = await measureRound(target.endpoint);

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
        const sender = senderOf(sent - 1);
        if (!sender) {
          skipped++;
          continue;
        }
        const cmd = publisher.command(room.liveId, encodePayload(run, sent, nowMs(), opts.payload));
        inflight++;
        sender.call(cmd.event, cmd.payload, 30_000).then(
          (r) => {
            inflight--;
            if (r.ok) {
              acked++;
              // Announcements ack their seq; comments don't (the room's final seq is read afterwards).
              const seq = (r.data as { seq?: unknown } | null)?.seq;
              if (typeof seq === 'number' && seq > lastSeq) lastSeq = seq;
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
  const {
    server: serverUsage,
    generator: generatorUsage,
    serverSideCpuSeconds: sideCpu,
    machine,
  } = await usage.stop();
  endBand();
  const verdict = swarmVerdict(
    viewers.map((v) => v.checker),
    finalSeq,
  );
  const lost = viewers.filter((v) => v.lost).length;
  host?.close();
  await closeSwarm(viewers);

  const published = sent - skipped;
  // Every message sent is offered to every viewer, acked or not (a slow server may deliver before it acks).
  const offered = published * viewers.length;
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
    publish_to_log_p50: q(toLog, 0.5),
    publish_to_log_p99: q(toLog, 0.99),
    log_to_viewer_p50: q(fromLog, 0.5),
    log_to_viewer_p99: q(fromLog, 0.99),
    drain_s: round((drainedAt - publishEnd) / 1000, 2),
    server_cpu_s: sideCpu,
    server_process_cpu_s: serverUsage.cpuSeconds,
    server_peak_rss_mb: serverUsage.peakRssBytes === null ? null : round(serverUsage.peakRssBytes / 1e6, 1),
    deliveries_per_cpu_s: sideCpu && sideCpu > 0 ? round(delivered / sideCpu, 0) : null,
    generator_cpu_pct: generatorUsage.cpuPercent,
    server_loop_lag_p99_ms: serverUsage.loopLag?.p99Ms ?? null,
    generator_loop_lag_p99_ms: generatorUsage.loopLag?.p99Ms ?? null,
    machine_other_cpu_pct: machine.otherPct,
    missing: verdict.missing,
    duplicates: verdict.duplicates,
    join_failures: swarm.failed,
    publish_errors: Object.values(errors).reduce((a, b) => a + b, 0) + skipped,
  };
  if (skipped) {
    notes.push(
      `${skipped} messages not sent: ${MAX_PUBLISH_INFLIGHT} publishes were already awaiting acks (or no viewer had joined)`,
    );
  }
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
      machine,
      verdicts,
      notes,
    },
    latency,
    throughput: perSecond.map((n, s) => [round(tl0 + s + 0.5, 2), n ?? 0] as [number, number]),
    verdict,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const q = (h: LatencyHistogram, x: number) => {
  const v = h.quantile(x);
  return v === null ? null : round(v, 2);
};
