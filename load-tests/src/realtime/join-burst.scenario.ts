/**
 * Join burst (benchmark #3): N distinct viewers connect and `live:join` one room, their starts spread evenly over
 * a window of T seconds (T = 0: as fast as the in-flight limit allows). Guest tokens are fetched before the burst.
 * Verdicts: 0 failures, presence online == N once all have joined, and back to 0 after they all leave.
 */
import { z } from 'zod';
import { measureRound, perCall } from '../lib/round-usage';
import { LatencyHistogram, median, round } from '../lib/stats';
import { int, num, oneOf } from '../options';
import { defineScenario, type RoundRecord, type ScenarioResult, type Verdict } from '../scenario';
import { CLIENT_KINDS, type ClientKind } from './room-client';
import { projectTarget } from './room-targets';
import { closeSwarm, joinSwarm } from './swarm';

export const JoinBurstOptions = z.object({
  viewers: int(1, 50_000).default(1000),
  window: num(0, 600).default(5),
  concurrency: int(1, 20_000).default(1000),
  client: oneOf(CLIENT_KINDS).default('wire'),
  rounds: int(1, 10).default(1),
  timeout: num(1, 120).default(20),
});
export type JoinBurstOptions = z.infer<typeof JoinBurstOptions>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const joinBurstScenario = defineScenario({
  name: 'join-burst',
  summary: 'N viewers join one room within T seconds; failures, join latency, presence online == N verdict',
  benchmark: '#3',
  options: JoinBurstOptions,
  help: {
    viewers: 'viewers that join (default 1000)',
    window: 'seconds over which the joins start, evenly spread; 0 = all at once (default 5)',
    concurrency: 'connections in flight at once (default 1000)',
    client: 'viewer implementation: wire (raw ws) or sio (socket.io-client)',
    rounds: 'bursts, each into a fresh room (default 1)',
    timeout: 'seconds one connect or join may take before it counts as failed (default 20)',
  },
  metrics: [
    'join_s',
    'joins_per_s',
    'failures',
    'p50',
    'p99',
    'online',
    'server_cpu_s',
    'server_peak_rss_mb',
    'node_us_per_call',
    'redis_us_per_call',
    'server_side_us_per_call',
  ],
  async run(ctx, opts): Promise<ScenarioResult> {
    const target = projectTarget(ctx.project);
    const records: RoundRecord[] = [];
    const latency = new LatencyHistogram();
    const throughput: { name: string; points: [number, number][] }[] = [];
    for (let i = 0; i < opts.rounds && !ctx.signal.aborted; i++) {
      const name = `join-burst round ${i + 1}`;
      const say = (s: string) => ctx.progress.update(`${name} · ${s}`);
      const room = await target.prepare(opts.viewers, (n) => say(`guest tokens ${n}/${opts.viewers}`));
      const endBand = ctx.timeline.band(`burst #${i + 1}`, 'project');
      const usage = await measureRound(ctx.project);
      const tl0 = ctx.timeline.now();
      const swarm = await joinSwarm({
        kind: opts.client as ClientKind,
        url: ctx.project.url,
        liveId: room.liveId,
        tokens: room.viewerTokens,
        concurrency: opts.concurrency,
        windowMs: opts.window * 1000,
        timeoutMs: opts.timeout * 1000,
        signal: ctx.signal,
        onProgress: (s) =>
          say(`started ${s.started}/${opts.viewers} · joined ${s.joined} · failed ${s.failed}`),
      });
      const used = await usage.stop();
      const { server: serverUsage, generator: generatorUsage, serverSideCpuSeconds: sideCpu, machine } = used;
      endBand();
      // NOTE: REST snapshots share a room part for up to SNAPSHOT_CACHE_MS (250 ms), presence included: let it
      // pass so the read counts every join (a stale read is not a miscount).
      await sleep(1000);
      const online = await target.online!(room);
      say('leaving');
      await closeSwarm(swarm.viewers, 10_000);
      let after = await target.online!(room);
      const until = Date.now() + 15_000;
      while (after !== 0 && Date.now() < until) {
        await sleep(200);
        after = await target.online!(room);
      }
      latency.merge(swarm.joinLatency);
      throughput.push({
        name: `burst #${i + 1}`,
        points: swarm.perSecond.map((n, s) => [round(tl0 + s + 0.5, 2), n] as [number, number]),
      });
      const lat = swarm.joinLatency.summary();
      const joined = swarm.viewers.length;
      const verdicts: Verdict[] = [
        {
          name: 'no failures',
          pass: swarm.failed === 0,
          detail: swarm.failed
            ? `${swarm.failed} failed: ${JSON.stringify(swarm.failures)}`
            : `${joined} joined`,
        },
        {
          name: 'presence online == N',
          pass: online === opts.viewers,
          detail: `online ${online} after ${joined} of ${opts.viewers} joined`,
        },
        { name: 'presence back to 0 after all leave', pass: after === 0, detail: `online ${after}` },
      ];
      records.push({
        side: 'project',
        label: 'project',
        index: i,
        metrics: {
          joined,
          failures: swarm.failed,
          join_s: round(swarm.seconds, 2),
          joins_per_s: swarm.seconds > 0 ? round(joined / swarm.seconds, 0) : null,
          p50: lat.p50,
          p99: lat.p99,
          max: lat.max,
          online,
          server_cpu_s: sideCpu,
          server_process_cpu_s: serverUsage.cpuSeconds,
          // Per join: handshake, token check, room join and snapshot ack (the burst's whole server cost).
          ...perCall(used, joined),
          server_peak_rss_mb:
            serverUsage.peakRssBytes === null ? null : round(serverUsage.peakRssBytes / 1e6, 1),
          generator_cpu_pct: generatorUsage.cpuPercent,
          server_loop_lag_p99_ms: serverUsage.loopLag?.p99Ms ?? null,
          machine_other_cpu_pct: machine.otherPct,
        },
        server: serverUsage,
        generator: generatorUsage,
        machine,
        verdicts,
      });
      ctx.progress.log(
        `${name}: ${joined}/${opts.viewers} joined in ${round(swarm.seconds, 2)} s, ${swarm.failed} failed, online ${online}`,
      );
    }
    const values = (k: string) =>
      records.map((r) => r.metrics[k]).filter((v): v is number => typeof v === 'number');
    const lat = latency.summary();
    const names = ['no failures', 'presence online == N', 'presence back to 0 after all leave'];
    const peak = values('server_peak_rss_mb');
    return {
      verdicts: names.map((name) => {
        const per = records.map((r) => r.verdicts.find((v) => v.name === name)!);
        const bad = per.filter((v) => !v.pass);
        return {
          name,
          pass: per.length > 0 && bad.length === 0,
          detail: bad.length ? bad.map((v) => v.detail).join('; ') : (per[0]?.detail ?? 'no round ran'),
        };
      }),
      metrics: {
        join_s: median(values('join_s')),
        joins_per_s: median(values('joins_per_s')),
        failures: values('failures').reduce((a, b) => a + b, 0),
        p50: lat.p50,
        p99: lat.p99,
        online: median(values('online')),
        server_cpu_s: median(values('server_cpu_s')),
        server_peak_rss_mb: peak.length ? Math.max(...peak) : null,
        node_us_per_call: median(values('node_us_per_call')),
        redis_us_per_call: median(values('redis_us_per_call')),
        server_side_us_per_call: median(values('server_side_us_per_call')),
      },
      comparisons: [],
      rounds: records,
      charts: {
        latency: {
          title: 'join latency (connect start → join ack)',
          series: [{ name: 'project', points: latency.buckets() }],
        },
        throughput: { title: 'joins completed per second', unit: 'joins/s', series: throughput },
      },
      notes: [
        `${opts.viewers} distinct guest viewers (${opts.client} clients), starts spread over ${opts.window} s, ≤ ${opts.concurrency} in flight; tokens fetched before the burst`,
        'join_s: from the first connection attempt to the last join ack',
      ],
    };
  },
});
