/**
 * Like storm (benchmark #5): N joined viewers each send `like:tap` batches (T taps per message, M messages/s,
 * spread evenly) for D seconds. Verdicts: the room's final like total equals the sum of the taps the server
 * acked as accepted (exact, after the flush), the server's Redis writes for likes stay ≤ the bound per second
 * (INCRBY calls counted in Redis `INFO commandstats`), every like goal the total crossed fired exactly once
 * (`goal:reached` in the room log, seen once by every viewer), and the room log has no gap.
 */

import { LIKE_EVENT, LikesSnapshot } from '@lc/contracts/likes.schema';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { roomSnapshot } from '../lib/project-api';
import { measureRound } from '../lib/round-usage';
import { LatencyHistogram, nowMs, round } from '../lib/stats';
import { int, num, oneOf } from '../options';
import { defineScenario, type ScenarioResult, type Verdict } from '../scenario';
import { swarmVerdict } from './gap-checker';
import { CLIENT_KINDS, type ClientKind, connectClient } from './room-client';
import { projectTarget } from './room-targets';
import { closeSwarm, joinSwarm } from './swarm';

export const LikeStormOptions = z.object({
  viewers: int(1, 19_000).default(2000),
  taps: int(1, 10_000).default(100),
  messages: num(0.1, 10).default(1),
  duration: num(1, 600).default(10),
  maxWritesPerS: num(0.1, 10_000).default(10),
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  client: oneOf(CLIENT_KINDS).default('wire'),
  concurrency: int(1, 5000).default(500),
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls per command name since the Redis server started (commands run inside Lua scripts included). */
async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const calls = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1]!, Number(m[2]));
  return calls;
}

export const likeStormScenario = defineScenario({
  name: 'like-storm',
  summary:
    'N viewers tap likes in batches; final total exact, Redis writes bounded per second, goals fire once',
  benchmark: '#5',
  options: LikeStormOptions,
  help: {
    viewers: 'viewers tapping (default 2000)',
    taps: 'taps per like:tap message (default 100; the server caps per message and per user per second)',
    messages: 'like:tap messages per viewer per second (default 1, as the client batches)',
    duration: 'seconds of tapping (default 10)',
    maxWritesPerS: 'bound on the Redis like writes per second for the room (default 10)',
    redisUrl: "the server's Redis, to count its writes (known with --spawn; command A prints it)",
    client: 'viewer implementation: wire (raw ws) or sio (socket.io-client)',
    concurrency: 'connections opened at once while joining (default 500)',
  },
  metrics: [
    'offered_taps_per_s',
    'accepted_taps_per_s',
    'redis_writes_per_s',
    'final_total',
    'accepted_sum',
    'rate_limited',
    'ack_p99',
    'server_cpu_s',
  ],
  async run(ctx, opts): Promise<ScenarioResult> {
    const redisUrl = opts.redisUrl ?? ctx.project.redisUrl;
    if (!redisUrl) {
      throw new Error(
        "like-storm counts the server's Redis writes: pass --redis-url (command A prints its Redis URL) or use --spawn",
      );
    }
    const say = (s: string) => ctx.progress.update(`like-storm · ${s}`);
    const target = projectTarget(ctx.project);
    const room = await target.prepare(opts.viewers, (n) => say(`guest tokens ${n}/${opts.viewers}`));
    const offeredPerS = opts.viewers * opts.taps * opts.messages;
    // Goals: one crossed at the first flush, one at a tenth of the offered taps, one never crossed.
    const host = await connectClient(opts.client as ClientKind, ctx.project.url, room.hostToken);
    const goalAt = [1, Math.max(2, Math.round(offeredPerS * opts.duration * 0.1)), 1_000_000_000_000];
    for (const threshold of goalAt) {
      const r = await host.call('like:goal:add', { liveId: room.liveId, threshold });
      if (!r.ok) throw new Error(`like:goal:add failed: ${r.error.code} ${r.error.message}`);
    }
    const goalEvents = new Map<number, number>();
    const swarm = await joinSwarm({
      kind: opts.client as ClientKind,
      url: ctx.project.url,
      liveId: room.liveId,
      tokens: room.viewerTokens,
      concurrency: opts.concurrency,
      signal: ctx.signal,
      onProgress: (s) => say(`joining ${s.joined}/${opts.viewers}`),
      onFrame: (viewer, frame) => {
        for (const ev of viewer.checker.accept(frame.events)) {
          if (ev.type === LIKE_EVENT.goalReached)
            goalEvents.set(viewer.index, (goalEvents.get(viewer.index) ?? 0) + 1);
        }
      },
    });
    const viewers = swarm.viewers;
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
    await redis.connect();
    try {
      const endBand = ctx.timeline.band('storm', 'project');
      const usage = await measureRound(ctx.project);
      const callsBefore = await commandCalls(redis);
      const w0 = nowMs();
      // Writes per 1-second window, for the report (the verdict uses the whole window's average).
      const perSecondWrites: number[] = [];
      let lastCalls = callsBefore.get('incrby') ?? 0;
      const sampler = setInterval(async () => {
        const now = (await commandCalls(redis).catch(() => undefined))?.get('incrby');
        if (now === undefined) return;
        perSecondWrites.push(now - lastCalls);
        lastCalls = now;
      }, 1000);
      const ackLatency = new LatencyHistogram();
      let sent = 0;
      let acceptedSum = 0;
      let inflight = 0;
      const errors: Record<string, number> = {};
      const total = Math.round(viewers.length * opts.messages * opts.duration);
      const perS = viewers.length * opts.messages;
      const t0 = nowMs();
      await new Promise<void>((resolve) => {
        const tick = () => {
          const due = Math.min(total, Math.floor(((nowMs() - t0) * perS) / 1000) + 1);
          while (sent < due && viewers.length) {
            const v = viewers[sent % viewers.length]!;
            sent++;
            inflight++;
            const at = nowMs();
            v.client
              .call<{ accepted: number }>('like:tap', { liveId: room.liveId, count: opts.taps }, 30_000)
              .then(
                (r) => {
                  inflight--;
                  ackLatency.record(nowMs() - at);
                  if (r.ok) acceptedSum += r.data.accepted;
                  else errors[r.error.code] = (errors[r.error.code] ?? 0) + 1;
                },
                (err: Error) => {
                  inflight--;
                  const k = err.message.replace(/\d+/g, 'N');
                  errors[k] = (errors[k] ?? 0) + 1;
                },
              );
          }
          const secs = (nowMs() - t0) / 1000;
          say(`tapping ${secs.toFixed(1)}/${opts.duration} s · ${sent} messages · accepted ${acceptedSum}`);
          if (sent >= total || ctx.signal.aborted || !viewers.length) {
            clearInterval(timer);
            resolve();
          }
        };
        const timer = setInterval(tick, 10);
        tick();
      });
      const stormSecs = (nowMs() - t0) / 1000;
      const ackDeadline = nowMs() + 30_000;
      while (inflight > 0 && nowMs() < ackDeadline) await sleep(20);
      // The total must reach exactly the accepted sum once the nodes flushed (every LIKE_FLUSH_MS).
      let finalTotal = -1;
      const until = nowMs() + 10_000;
      for (;;) {
        const snap = await roomSnapshot(ctx.project.url, room.liveId, room.hostToken);
        finalTotal = LikesSnapshot.parse(snap.features.likes).total;
        if (finalTotal === acceptedSum || nowMs() > until) break;
        say(`waiting for the flush · total ${finalTotal} / accepted ${acceptedSum}`);
        await sleep(100);
      }
      clearInterval(sampler);
      const callsAfter = await commandCalls(redis);
      const writeSecs = (nowMs() - w0) / 1000;
      const { server, generator, serverSideCpuSeconds, machine } = await usage.stop();
      endBand();
      const writes = (callsAfter.get('incrby') ?? 0) - (callsBefore.get('incrby') ?? 0);
      const writesPerS = round(writes / Math.max(writeSecs, 0.001), 2);
      const crossed = goalAt.filter((t) => t <= finalTotal).length;
      // Drain the log so every viewer has the goal events, then check each saw each crossed goal once.
      const finalSeq = await target.finalSeq(room, 0);
      const drainUntil = nowMs() + 10_000;
      while (viewers.some((v) => v.checker.seq < finalSeq) && nowMs() < drainUntil) await sleep(50);
      const log = swarmVerdict(
        viewers.map((v) => v.checker),
        finalSeq,
      );
      const wrongGoals = viewers.filter((v) => (goalEvents.get(v.index) ?? 0) !== crossed).length;
      host.close();
      await closeSwarm(viewers);
      const rateLimited = errors.RATE_LIMITED ?? 0;
      const otherErrors = Object.entries(errors).filter(([k]) => k !== 'RATE_LIMITED');
      const lat = ackLatency.summary();
      const verdicts: Verdict[] = [
        {
          name: 'final total exact',
          pass: finalTotal === acceptedSum && acceptedSum > 0,
          detail: `total ${finalTotal}, sum of accepted taps in the acks ${acceptedSum}`,
        },
        {
          name: `Redis like writes ≤ ${opts.maxWritesPerS}/s for the room`,
          pass: writesPerS <= opts.maxWritesPerS,
          detail: `${writes} INCRBY in ${round(writeSecs, 1)} s (tapping ${round(stormSecs, 1)} s + final flush) = ${writesPerS}/s; busiest 1-s sample ${Math.max(0, ...perSecondWrites)} (Redis INFO commandstats)`,
        },
        {
          name: 'each crossed goal fired exactly once',
          pass: wrongGoals === 0 && viewers.length > 0,
          detail: `${crossed} of ${goalAt.length} goals crossed (thresholds ${goalAt.join(', ')}); ${wrongGoals} viewers saw a different number of goal:reached`,
        },
        { name: 'no gaps', pass: log.ok, detail: log.detail },
        {
          name: 'all viewers joined, no command failed',
          pass: swarm.failed === 0 && otherErrors.length === 0 && inflight === 0,
          detail: `${viewers.length} joined, ${swarm.failed} failed; ${otherErrors.length ? JSON.stringify(Object.fromEntries(otherErrors)) : 'no errors'}; ${rateLimited} messages refused RATE_LIMITED (client over its message rate)`,
        },
      ];
      const metrics = {
        offered_taps_per_s: round((sent * opts.taps) / Math.max(stormSecs, 0.001), 0),
        accepted_taps_per_s: round(acceptedSum / Math.max(stormSecs, 0.001), 0),
        redis_writes_per_s: writesPerS,
        redis_writes_max_1s: perSecondWrites.length ? Math.max(...perSecondWrites) : null,
        final_total: finalTotal,
        accepted_sum: acceptedSum,
        rate_limited: rateLimited,
        ack_p99: lat.p99,
        server_cpu_s: serverSideCpuSeconds,
      };
      return {
        verdicts,
        metrics,
        comparisons: [],
        rounds: [
          {
            side: 'project',
            label: 'project',
            index: 0,
            metrics: {
              ...metrics,
              messages: sent,
              ack_p50: lat.p50,
              server_process_cpu_s: server.cpuSeconds,
              server_peak_rss_mb: server.peakRssBytes === null ? null : round(server.peakRssBytes / 1e6, 1),
              generator_cpu_pct: generator.cpuPercent,
              machine_other_cpu_pct: machine.otherPct,
            },
            server,
            generator,
            machine,
            verdicts,
          },
        ],
        charts: {
          latency: {
            title: 'like:tap ack latency',
            series: [{ name: 'project', points: ackLatency.buckets() }],
          },
        },
        notes: [
          `${viewers.length} viewers × ${opts.taps} taps per message × ${opts.messages} messages/s for ${opts.duration} s = ${offeredPerS} taps/s offered; the server caps taps per message and per user per second (LIKE_MAX_PER_MESSAGE, LIKE_MAX_PER_USER_PER_SEC)`,
          `Redis writes: INCRBY calls (the likes flush script's write) in INFO commandstats of ${redisUrl.replace(/\/\/[^@]*@/, '//')}; only this scenario should be writing likes meanwhile`,
        ],
      };
    } finally {
      redis.disconnect();
    }
  },
});
