/**
 * HTTP baseline (benchmark #6): `GET /api/lives/:id/snapshot` (a viewer token, a started live) with autocannon,
 * alternated with bare `node:http` hello on the same pinning: A B A B, medians, ratio. Verdicts: the route's
 * answer matches the RoomSnapshot contract, and no request failed or answered non-2xx during the project rounds.
 */
import { z } from 'zod';
import type { Endpoint } from '../lib/processes';
import { guestTokens, hostWithLive, roomSnapshot } from '../lib/project-api';
import { measureRound, perCall } from '../lib/round-usage';
import { sides } from '../lib/sides';
import { ratio, round } from '../lib/stats';
import { int, num, onOff } from '../options';
import { defineScenario, type RoundRecord, type ScenarioResult, type Side, type Verdict } from '../scenario';
import { type CannonResult, cannon } from './cannon';

export const SnapshotOptions = z.object({
  connections: int(1, 10_000).default(100),
  pipelining: int(1, 100).default(10),
  duration: num(1, 600).default(10),
  rounds: int(1, 10).default(2),
  baseline: onOff.default(true),
  ifNoneMatch: onOff.default(false),
  warmup: num(0, 60).default(2),
});
export type SnapshotOptions = z.infer<typeof SnapshotOptions>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const snapshotScenario = defineScenario({
  name: 'http-snapshot',
  summary: 'GET /api/lives/:id/snapshot with autocannon vs bare node:http hello (A B A B)',
  benchmark: '#6',
  options: SnapshotOptions,
  help: {
    connections: 'autocannon connections (default 100)',
    pipelining: 'requests pipelined per connection (default 10)',
    duration: 'seconds per round (default 10)',
    rounds: 'A B rounds (project, baseline) — medians over them (default 2)',
    baseline: 'on|off: alternate with bare node:http hello (default on)',
    warmup: 'seconds of unmeasured load on each server before its first round (default 2)',
    ifNoneMatch:
      'on|off: send the ETag of a first snapshot as If-None-Match, as a poller would (304 while the room is unchanged; default off)',
  },
  metrics: [
    'rps',
    'baseline_rps',
    'ratio',
    'p50',
    'p99',
    'errors',
    'non2xx',
    'server_cpu_s',
    'requests_per_cpu_s',
    'node_us_per_call',
    'redis_us_per_call',
    'server_side_us_per_call',
    'calls_per_node_cpu_s',
    'not_modified',
  ],
  async run(ctx, opts): Promise<ScenarioResult> {
    const base = ctx.project.url;
    const { liveId } = await hostWithLive(base);
    const [viewer] = await guestTokens(base, 1);
    // Contract check first: the route answers a valid snapshot for this token.
    const snap = await roomSnapshot(base, liveId, viewer!);
    // The tag a poller would hold: every request of the project rounds sends it with --if-none-match on.
    const etag = (
      await fetch(`${base}/api/lives/${liveId}/snapshot`, { headers: { authorization: `Bearer ${viewer}` } })
    ).headers.get('etag');
    const contract: Verdict = {
      name: 'snapshot matches the contract',
      pass: snap.live.id === liveId && snap.role === 'viewer',
      detail: `RoomSnapshot parsed; role ${snap.role}, seq ${snap.seq}`,
    };
    const rounds: { record: RoundRecord; result: CannonResult; tl0: number }[] = [];
    // --baseline-ref: the baseline is the project at that ref, loaded the same way (its own live and viewer).
    const ref = ctx.baselineRef;
    type Target = { liveId: string; viewer: string; etag: string | null };
    const targetOn = async (url: string): Promise<Target> => {
      const l = (await hostWithLive(url)).liveId;
      const [v] = await guestTokens(url, 1);
      const e = (
        await fetch(`${url}/api/lives/${l}/snapshot`, { headers: { authorization: `Bearer ${v}` } })
      ).headers.get('etag');
      return { liveId: l, viewer: v!, etag: e };
    };
    // The ref's server is started once and kept for every round, like the project's.
    let refServer: { endpoint: Endpoint; target: Target } | undefined;
    const warmed = new Set<string>();
    const one = async (side: Side, i: number) => {
      if (side === 'baseline' && ref && !refServer) {
        const endpoint = await ctx.startBaseline('ref');
        refServer = { endpoint, target: await targetOn(endpoint.url) };
      }
      const endpoint =
        side === 'project' ? ctx.project : (refServer?.endpoint ?? (await ctx.startBaseline('hello')));
      const label = side === 'project' ? 'project' : endpoint.label;
      try {
        const target: Target | undefined =
          side === 'project' ? { liveId, viewer: viewer!, etag } : refServer?.target;
        const url = target ? `${endpoint.url}/api/lives/${target.liveId}/snapshot` : `${endpoint.url}/`;
        const headers = target
          ? {
              authorization: `Bearer ${target.viewer}`,
              ...(opts.ifNoneMatch && target.etag ? { 'if-none-match': target.etag } : {}),
            }
          : undefined;
        if (opts.warmup > 0 && !warmed.has(label)) {
          // NOTE: unmeasured load first, so a fresh process's JIT warm-up is not counted against either side.
          warmed.add(label);
          ctx.progress.update(`http-snapshot ${label}: warming up for ${opts.warmup} s (not measured)`);
          await cannon({
            url,
            headers,
            connections: opts.connections,
            pipelining: opts.pipelining,
            durationS: opts.warmup,
          });
        }
        const endBand = ctx.timeline.band(`${label} #${i + 1}`, side);
        const usage = await measureRound(endpoint);
        const tl0 = ctx.timeline.now();
        const result = await cannon({
          url,
          headers,
          connections: opts.connections,
          pipelining: opts.pipelining,
          durationS: opts.duration,
          onTick: (done, secs) =>
            ctx.progress.update(
              `http-snapshot ${label} round ${i + 1} · ${secs}/${opts.duration} s · ${done} requests (${Math.round(done / secs)}/s)`,
            ),
        });
        const used = await usage.stop();
        const {
          server: serverUsage,
          generator: generatorUsage,
          serverSideCpuSeconds: sideCpu,
          machine,
        } = used;
        endBand();
        // A 304 answers the poller's tag: expected with --if-none-match, a failure without it.
        const notModified = target && opts.ifNoneMatch ? (result.statusCodes['304'] ?? 0) : 0;
        const failed = result.errors + result.timeouts + result.non2xx - notModified;
        rounds.push({
          tl0,
          result,
          record: {
            side,
            label,
            index: i,
            metrics: {
              rps: result.rps,
              requests: result.requests,
              p50: result.p50,
              p99: result.p99,
              max: result.max,
              errors: result.errors + result.timeouts,
              non2xx: result.non2xx - notModified,
              server_cpu_s: sideCpu,
              server_process_cpu_s: serverUsage.cpuSeconds,
              requests_per_cpu_s: sideCpu && sideCpu > 0 ? round(result.requests / sideCpu, 0) : null,
              ...perCall(used, result.requests),
              not_modified: notModified,
              server_peak_rss_mb:
                serverUsage.peakRssBytes === null ? null : round(serverUsage.peakRssBytes / 1e6, 1),
              generator_cpu_pct: generatorUsage.cpuPercent,
              server_loop_lag_p99_ms: serverUsage.loopLag?.p99Ms ?? null,
              machine_other_cpu_pct: machine.otherPct,
            },
            server: serverUsage,
            generator: generatorUsage,
            machine,
            verdicts: [
              {
                name: 'no failed or non-2xx requests',
                pass:
                  failed === 0 &&
                  result.requests > 0 &&
                  (!opts.ifNoneMatch || side !== 'project' || notModified > 0),
                detail: `${result.requests} requests, status ${JSON.stringify(result.statusCodes)}, ${result.errors} errors, ${result.timeouts} timeouts`,
              },
            ],
          },
        });
        ctx.progress.log(
          `http-snapshot ${label} round ${i + 1}: ${result.rps} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, ${failed} failed`,
        );
      } finally {
        if (side === 'baseline' && !refServer) await endpoint.stop();
      }
    };
    try {
      for (let i = 0; i < opts.rounds && !ctx.signal.aborted; i++) {
        await one('project', i);
        await sleep(500);
        if (opts.baseline) await one('baseline', i);
        await sleep(500);
      }
    } finally {
      await refServer?.endpoint.stop();
    }
    const hello = ref ? `the project at ${ref}` : 'bare node:http hello';
    const { of, med, sum, pooled, compare } = sides(
      rounds.map((r) => ({ ...r, latency: r.result.latency })),
      hello,
    );
    const rps = med('project', 'rps');
    const baseRps = med('baseline', 'rps');
    const per = of('project').map((r) => r.record.verdicts[0]!);
    const bad = per.filter((v) => !v.pass);
    return {
      verdicts: [
        contract,
        {
          name: 'no failed or non-2xx requests',
          pass: per.length > 0 && bad.length === 0,
          detail: bad.length ? bad.map((v) => v.detail).join('; ') : (per[0]?.detail ?? 'no round ran'),
        },
      ],
      metrics: {
        rps,
        baseline_rps: baseRps,
        ratio: ratio(rps, baseRps),
        p50: med('project', 'p50'),
        p99: med('project', 'p99'),
        errors: sum('project', 'errors'),
        non2xx: sum('project', 'non2xx'),
        server_cpu_s: med('project', 'server_cpu_s'),
        requests_per_cpu_s: med('project', 'requests_per_cpu_s'),
        node_us_per_call: med('project', 'node_us_per_call'),
        redis_us_per_call: med('project', 'redis_us_per_call'),
        server_side_us_per_call: med('project', 'server_side_us_per_call'),
        calls_per_node_cpu_s: med('project', 'calls_per_node_cpu_s'),
        not_modified: sum('project', 'not_modified'),
      },
      comparisons: of('baseline').length
        ? [compare('rps'), compare('requests_per_cpu_s'), compare('calls_per_node_cpu_s')]
        : [],
      rounds: rounds.map((r) => r.record),
      charts: {
        latency: {
          title: 'request latency',
          series: [
            { name: 'project: snapshot route', points: pooled('project').buckets() },
            ...(of('baseline').length ? [{ name: hello, points: pooled('baseline').buckets() }] : []),
          ],
        },
        throughput: {
          title: 'requests per second',
          unit: 'req/s',
          series: rounds.map((r) => ({
            name: `${r.record.label} #${r.record.index + 1}`,
            points: r.result.perSecond.map((n, s) => [round(r.tl0 + s + 0.5, 2), n] as [number, number]),
          })),
        },
      },
      notes: [
        `autocannon -c ${opts.connections} -p ${opts.pipelining} -d ${opts.duration} in the generator process; the snapshot route with a viewer's Bearer token` +
          (opts.ifNoneMatch ? `, If-None-Match ${etag}` : ''),
      ],
    };
  },
});
