/**
 * One step of the media ramp: with N viewers receiving, count a window of W seconds of the publisher's packets
 * at every viewer (loss and bitrate per consumer, publisher→viewer delay), read what the worker says it sent on
 * each consumer over the same span (`sfu:consumer:stats`), consumers per worker (/metrics), and the CPU of every
 * mediasoup worker, the server and the generator (/proc).
 */
import { measure, type Usage } from '../lib/resources';
import { measureRound, type RoundUsage } from '../lib/round-usage';
import { LatencyHistogram, round } from '../lib/stats';
import type { ScenarioContext } from '../scenario';
import { runQueueWaitNs, udpRcvbufErrors, type WorkerLoad, workerLoads } from './media-probe';
import { type MediaPeer, pool, workerSent } from './media-swarm';
import type { MscPublisher, MscViewer } from './msc-peers';

export interface StepResult {
  viewers: number;
  windowPackets: number;
  /** Seconds the publisher took to send the window (≈ W when the generator keeps up). */
  publishSeconds: number;
  /** Aggregate loss: 1 − received / (viewers × window packets), percent. */
  lossPct: number;
  worstLossPct: number;
  /** Viewers above the loss bound / with nothing received in the window. */
  viewersOverLoss: number;
  viewersSilent: number;
  /** Up to 10 silent viewers: did their transport connect, how many consumers, what the worker sent them. */
  silent: {
    viewer: number;
    connected: boolean;
    /** The viewer's own last connection state (msc-node), beside the worker's view below. */
    state: string;
    consumers: number;
    everReceived: number;
    workerSent: number | null;
    /** The worker's view of the viewer's transport: ICE and DTLS state (a consumer sends once both connect). */
    workerIce: string | null;
    workerDtls: string | null;
  }[];
  /** Median per-consumer bitrate over the window (RTP payload + 12-byte header), kbit/s. */
  bitrateKbps: number;
  /** Worker-side: packets the worker sent on each consumer ÷ packets its producer received over the same span. */
  workerSentPct: number | null;
  /** Packets the receivers reported lost to the worker (RTCP), all consumers. */
  workerReportedLost: number | null;
  /** Datagrams the kernel dropped for full UDP receive buffers during the window (machine-wide). */
  udpRcvbufErrors: number | null;
  /** Share of the window the generator's main thread was runnable but waiting for a CPU (others on its core). */
  generatorRunQueueWaitPct: number | null;
  latency: LatencyHistogram;
  workers: (WorkerLoad & { cpuPercent: number | null; cpuSeconds: number | null })[];
  usage: RoundUsage;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (x: number) => round(x * 100, 3);

export async function measureStep(
  ctx: ScenarioContext,
  opts: { windowS: number; graceMs: number; maxLossPct: number; workerPids: number[] },
  publisher: MscPublisher,
  viewers: MediaPeer<MscViewer>[],
): Promise<StepResult> {
  const rate = publisher.packetsPerSecond;
  const loads = await workerLoads(ctx.project.url);
  const statsLimit = 32;
  const before = await pool(viewers, statsLimit, (v) => workerSent(v));
  const usage = await measureRound(ctx.project);
  const drops0 = udpRcvbufErrors();
  const wait0 = runQueueWaitNs();
  const wall0 = performance.now();
  const workerUsage = await Promise.all(opts.workerPids.map((pid) => measure({ kind: 'proc', pid })));
  const latency = new LatencyHistogram();
  const from = publisher.sent + 1;
  const to = from + Math.round(rate * opts.windowS) - 1;
  for (const v of viewers) {
    v.peer.countWindow(from, to);
    v.peer.onLatency = (ms) => latency.record(ms);
  }
  const t0 = performance.now();
  while (publisher.sent < to && !ctx.signal.aborted) {
    ctx.progress.update(
      `media-viewers · ${viewers.length} viewers · window ${Math.max(0, publisher.sent - from + 1)}/${to - from + 1} packets`,
    );
    await sleep(100);
  }
  const publishSeconds = (performance.now() - t0) / 1000;
  await sleep(opts.graceMs);
  const [roundUsage, ...workers] = await Promise.all([usage.stop(), ...workerUsage.map((w) => w.stop())]);
  const drops1 = udpRcvbufErrors();
  const wait1 = runQueueWaitNs();
  const wallMs = performance.now() - wall0;
  const after = await pool(viewers, statsLimit, (v) => workerSent(v));
  for (const v of viewers) v.peer.onLatency = undefined;

  const expected = to - from + 1;
  const losses = viewers.map((v) => 1 - (v.peer.window?.packets ?? 0) / expected);
  const received = viewers.reduce((n, v) => n + (v.peer.window?.packets ?? 0), 0);
  const kbps = viewers
    .map((v) => ((v.peer.window?.bytes ?? 0) * 8) / 1000 / opts.windowS)
    .sort((a, b) => a - b);
  let sentByWorker = 0;
  let sentByPublisher = 0;
  let reportedLost = 0;
  let compared = 0;
  for (const [i, b] of before.entries()) {
    const a = after[i];
    if (!a || !b) continue;
    compared++;
    sentByWorker += a.packetsSent - b.packetsSent;
    sentByPublisher += a.sourcePackets - b.sourcePackets;
    reportedLost += a.packetsLost - b.packetsLost;
  }
  return {
    viewers: viewers.length,
    windowPackets: expected,
    publishSeconds: round(publishSeconds, 2),
    lossPct: viewers.length ? pct(1 - received / (expected * viewers.length)) : 0,
    worstLossPct: pct(Math.max(0, ...losses)),
    viewersOverLoss: losses.filter((l) => l * 100 >= opts.maxLossPct).length,
    viewersSilent: viewers.filter((v) => !v.peer.window?.packets).length,
    silent: viewers
      .map((v, i) => ({ v, i }))
      .filter(({ v }) => !v.peer.window?.packets)
      .slice(0, 10)
      .map(({ v, i }) => {
        const [b, a] = [before[i], after[i]];
        return {
          viewer: i,
          connected: v.peer.connectedAt !== undefined,
          state: v.peer.connectionState,
          consumers: v.peer.consumerIds.length,
          everReceived: v.peer.packets,
          workerSent: a && b ? a.packetsSent - b.packetsSent : null,
          workerIce: a?.iceState ?? null,
          workerDtls: a?.dtlsState ?? null,
        };
      }),
    bitrateKbps: round(kbps[Math.floor(kbps.length / 2)] ?? 0, 1),
    workerSentPct: compared && sentByPublisher > 0 ? pct(sentByWorker / sentByPublisher) : null,
    workerReportedLost: compared ? reportedLost : null,
    udpRcvbufErrors: drops0 === null || drops1 === null ? null : drops1 - drops0,
    generatorRunQueueWaitPct:
      wait0 === null || wait1 === null ? null : round(((wait1 - wait0) / 1e6 / wallMs) * 100, 1),
    latency,
    workers: opts.workerPids.map((pid, i) => {
      const load = loads.find((l) => l.pid === pid) ?? { pid, routers: 0, consumers: 0 };
      const u: Usage | undefined = workers[i];
      return { ...load, cpuPercent: u?.cpuPercent ?? null, cpuSeconds: u?.cpuSeconds ?? null };
    }),
    usage: roundUsage,
  };
}
