/**
 * Lottery storm (issue 6 under load): N joined viewers enter lotteries — a share of them by `lottery:enter`
 * into an explicit-entry lottery, the rest by commenting the keyword (口令) into a keyword lottery (a lottery
 * takes one entry mode: a keyword rule refuses explicit entries) — then the host draws each. Verdicts per draw
 * (draw-verdicts.ts): exactly K distinct winners, all among the entrants, entrant count == acknowledged
 * entries, the verifier reproduces the winners from the public audit (MATCH) and a tampered copy gives
 * MISMATCH; plus: every viewer joined, no entry failed.
 */

import { LotterySnapshot } from '@lc/contracts/lottery.schema';
import { z } from 'zod';
import { roomSnapshot } from '../lib/project-api';
import { measureRound } from '../lib/round-usage';
import { nowMs, round } from '../lib/stats';
import { int, num, oneOf } from '../options';
import { CLIENT_KINDS, type ClientKind, connectClient } from '../realtime/room-client';
import { projectTarget } from '../realtime/room-targets';
import { closeSwarm, joinSwarm } from '../realtime/swarm';
import { defineScenario, type ScenarioResult, type Verdict } from '../scenario';
import { drawVerdicts } from './draw-verdicts';
import { type DriveResult, driveEntries } from './drive-entries';
import { createLottery, drawAndAudit, giveawayCoupon, KEYWORD, userIdOf } from './lottery-api';

export const LotteryStormOptions = z.object({
  viewers: int(1, 19_000).default(5000),
  winners: int(1, 1000).default(10),
  keywordShare: num(0, 1).default(0.3),
  rate: num(0, 100_000).default(0),
  inflight: int(1, 20_000).default(500),
  client: oneOf(CLIENT_KINDS).default('wire'),
  concurrency: int(1, 5000).default(500),
});
type Opts = z.infer<typeof LotteryStormOptions>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const lotteryStormScenario = defineScenario({
  name: 'lottery-storm',
  summary:
    'N entries (explicit + keyword comments); exactly K distinct winners, recomputed with the verifier',
  options: LotteryStormOptions,
  help: {
    viewers: 'viewers entering, each once (default 5000)',
    winners: 'K winners per lottery (default 10)',
    keywordShare:
      'share of the viewers entering by commenting the keyword (default 0.3); the rest use lottery:enter',
    rate: 'entries offered per second (default 0: as fast as --inflight open calls allow)',
    inflight: 'entry calls open at once (default 500)',
    client: 'viewer implementation: wire (raw ws) or sio (socket.io-client)',
    concurrency: 'connections opened at once while joining (default 500)',
  },
  metrics: [
    'entries',
    'entries_per_s',
    'entry_ack_p99',
    'keyword_entries_per_s',
    'keyword_ack_p99',
    'draw_ms',
    'entries_per_server_cpu_s',
    'keyword_entries_per_server_cpu_s',
    'server_cpu_s',
  ],
  async run(ctx, opts: Opts): Promise<ScenarioResult> {
    const say = (s: string) => ctx.progress.update(`lottery-storm · ${s}`);
    const url = ctx.project.url;
    const target = projectTarget(ctx.project);
    const room = await target.prepare(opts.viewers, (n) => say(`guest tokens ${n}/${opts.viewers}`));
    const ids = room.viewerTokens.map(userIdOf);
    const host = await connectClient(opts.client as ClientKind, url, room.hostToken);
    const hostJoin = await host.call('live:join', { liveId: room.liveId });
    if (!hostJoin.ok) throw new Error(`host live:join failed: ${hostJoin.error.code}`);
    const couponId = await giveawayCoupon(url, room.liveId, room.hostToken);
    const swarm = await joinSwarm({
      kind: opts.client as ClientKind,
      url,
      liveId: room.liveId,
      tokens: room.viewerTokens,
      concurrency: opts.concurrency,
      signal: ctx.signal,
      onProgress: (s) => say(`joining ${s.joined}/${opts.viewers}`),
      onFrame: (viewer, frame) => void viewer.checker.accept(frame.events),
    });
    const viewers = swarm.viewers;
    const nKeyword = Math.round(viewers.length * opts.keywordShare);
    const explicitViewers = viewers.slice(0, viewers.length - nKeyword);
    const keywordViewers = viewers.slice(viewers.length - nKeyword);
    const verdicts: Verdict[] = [];
    const details: Record<string, unknown> = {};
    const endBand = ctx.timeline.band('storm', 'project');
    const usage = await measureRound(ctx.project);

    /** One lottery: create, entries, wait for the count, draw, audit, verdicts. */
    const lotteryRound = async (mode: 'explicit' | 'keyword', entering: typeof viewers) => {
      if (entering.length === 0) return undefined;
      const lottery = await createLottery(host, room.liveId, couponId, opts.winners, mode === 'keyword');
      const phase = await measureRound(ctx.project);
      const drive = await driveEntries({
        viewers: entering,
        rate: opts.rate,
        inflight: opts.inflight,
        signal: ctx.signal,
        send: (v) =>
          mode === 'keyword'
            ? v.client.call('comment:send', { liveId: room.liveId, text: `${KEYWORD} #${v.index}` }, 30_000)
            : v.client.call('lottery:enter', { liveId: room.liveId, lotteryId: lottery.id }, 30_000),
        onProgress: (done, ok) => say(`${mode} entries ${done}/${entering.length} (${ok} ok)`),
      });
      // Keyword entries follow the comment's ack (the comment hook enters its author): wait for the count.
      const until = nowMs() + 15_000;
      let counted = -1;
      while (nowMs() < until && !ctx.signal.aborted) {
        const snap = await roomSnapshot(url, room.liveId, room.hostToken);
        counted = LotterySnapshot.parse(snap.features.lottery).lottery?.entrants ?? -1;
        if (counted >= drive.accepted.size) break;
        say(`${mode}: waiting for the entrant count ${counted}/${drive.accepted.size}`);
        await sleep(100);
      }
      // NOTE: the entries' server CPU, taken before the draw (the draw and audit are timed on their own).
      const cpuS = (await phase.stop()).serverSideCpuSeconds;
      const t = nowMs();
      const raw = await drawAndAudit(host, url, room.liveId, lottery.id);
      const drawMs = nowMs() - t;
      const acked = new Set([...drive.accepted].map((i) => ids[i]!));
      const v = drawVerdicts(mode, raw, { k: opts.winners, acked });
      verdicts.push(...v.verdicts, {
        name: `${mode}: every entry acknowledged`,
        pass: drive.accepted.size === entering.length,
        detail: `${drive.accepted.size} of ${entering.length} accepted; ${Object.keys(drive.errors).length ? JSON.stringify(drive.errors) : 'no errors'}; entrant count before the draw ${counted}`,
      });
      details[mode] = { lotteryId: lottery.id, entrants: v.audit.entrants.length, winners: v.audit.winners };
      return { drive, drawMs, cpuS };
    };

    type Phase = { drive: DriveResult; drawMs: number; cpuS: number | null };
    let explicit: Phase | undefined;
    let keyword: Phase | undefined;
    try {
      explicit = await lotteryRound('explicit', explicitViewers);
      keyword = await lotteryRound('keyword', keywordViewers);
    } finally {
      const finalSeq = await target.finalSeq(room, 0).catch(() => 0);
      details.finalSeq = finalSeq;
      host.close();
      await closeSwarm(viewers);
    }
    const { server, generator, serverSideCpuSeconds, machine } = await usage.stop();
    endBand();
    verdicts.push({
      name: 'all viewers joined',
      pass: swarm.failed === 0 && viewers.length === opts.viewers,
      detail: `${viewers.length} of ${opts.viewers} joined; ${swarm.failed ? JSON.stringify(swarm.failures) : 'no failures'}`,
    });
    const perS = (d?: DriveResult) => (d && d.seconds > 0 ? round(d.accepted.size / d.seconds, 0) : null);
    const perCpu = (p?: Phase) => (p?.cpuS ? round(p.drive.accepted.size / p.cpuS, 0) : null);
    const entries = (explicit?.drive.accepted.size ?? 0) + (keyword?.drive.accepted.size ?? 0);
    const metrics = {
      entries,
      entries_per_s: perS(explicit?.drive),
      entry_ack_p99: explicit ? explicit.drive.latency.summary().p99 : null,
      keyword_entries_per_s: perS(keyword?.drive),
      keyword_ack_p99: keyword ? keyword.drive.latency.summary().p99 : null,
      draw_ms: explicit ? round(explicit.drawMs, 1) : keyword ? round(keyword.drawMs, 1) : null,
      entries_per_server_cpu_s: perCpu(explicit),
      keyword_entries_per_server_cpu_s: perCpu(keyword),
      server_cpu_s: serverSideCpuSeconds,
    };
    const series = (name: string, d?: DriveResult) => (d ? [{ name, points: d.latency.buckets() }] : []);
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
            entry_ack_p50: explicit ? explicit.drive.latency.summary().p50 : null,
            keyword_ack_p50: keyword ? keyword.drive.latency.summary().p50 : null,
            keyword_draw_ms: keyword ? round(keyword.drawMs, 1) : null,
            explicit_server_cpu_s: explicit?.cpuS ?? null,
            keyword_server_cpu_s: keyword?.cpuS ?? null,
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
          title: 'entry ack latency (lottery:enter, keyword comment:send)',
          series: [...series('lottery:enter', explicit?.drive), ...series('keyword comment', keyword?.drive)],
        },
      },
      notes: [
        `${explicitViewers.length} viewers entered by lottery:enter, ${keywordViewers.length} by commenting "${KEYWORD}" (two lotteries, one after the other, K = ${opts.winners} each); ${opts.rate > 0 ? `${opts.rate} entries/s offered` : `unpaced, ${opts.inflight} calls open at once`}`,
        "entries/s = acknowledged entries ÷ (first send → last ack) of the explicit lottery; the keyword figure counts comment acks (the entry follows the comment, and the comments fan out to the room); per server CPU-second = acknowledged entries ÷ the server side's CPU-seconds from the first entry to the draw",
        'verifier: the audit record read over REST, checked with the same parse and verifyAudit as `npm run verify-draw`; tampered copy: seed flipped and one entrant dropped',
      ],
      details,
    };
  },
});
