/**
 * Media viewers (benchmark #7): one Node publisher sends Opus-shaped RTP at a fixed rate into a live; WebRTC
 * viewers from Node (msc-node on werift: ICE + DTLS + SRTP, each with its own Socket.IO connection) are added in
 * steps; at each step a window of packets is counted at every viewer (loss, bitrate, delay) and compared with
 * what the worker says it sent (so loss in the generator shows apart from loss in the server); consumers and CPU
 * per mediasoup worker come from the server. Verdicts: every viewer received media and the loss stayed under the
 * bound at every step measured. The ramp stops at the first step that fails (unless --stop-on-fail off).
 */
import { z } from 'zod';
import { guestTokens, hostWithLive } from '../lib/project-api';
import { round } from '../lib/stats';
import { int, num, onOff } from '../options';
import { defineScenario, type RoundRecord, type ScenarioResult, type Verdict } from '../scenario';
import { allowedCpus, mediaInfo } from './media-probe';
import { measureStep, type StepResult } from './media-step';
import { type MediaPeer, startPublisher, startViewer } from './media-swarm';
import type { MscViewer } from './msc-peers';

export const MediaViewersOptions = z.object({
  viewers: int(1, 5000).default(200),
  step: int(1, 5000).default(50),
  window: num(1, 600).default(10),
  rate: int(1, 1000).default(50),
  payload: int(13, 1200).default(160),
  maxLoss: num(0, 100).default(1),
  concurrency: int(1, 200).default(8),
  grace: num(0, 30).default(2),
  stopOnFail: onOff.default(true),
});
export type MediaViewersOptions = z.infer<typeof MediaViewersOptions>;

/** Pass/fail of one step: every viewer got packets in the window, aggregate loss under the bound. */
export function stepPasses(s: Pick<StepResult, 'viewersSilent' | 'lossPct'>, maxLossPct: number): boolean {
  return s.viewersSilent === 0 && s.lossPct < maxLossPct;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const mediaViewersScenario = defineScenario({
  name: 'media-viewers',
  summary: 'N WebRTC consumers from Node (msc-node), ramped; loss, bitrate, consumers and CPU per worker',
  benchmark: '#7',
  // One worker and no piping unless --server-env says otherwise: the figure is consumers per worker.
  spawnEnv: { MEDIA_ENABLED: 'true', MEDIA_WORKERS: '1', MEDIA_CONSUMERS_PER_ROUTER: '100000' },
  options: MediaViewersOptions,
  help: {
    viewers: 'viewers at the last step (default 200)',
    step: 'viewers added per step (default 50)',
    window: 'seconds of packets counted per step (default 10)',
    rate: 'RTP packets per second the publisher sends (default 50: 20 ms Opus frames)',
    payload: 'RTP payload bytes per packet (default 160 ≈ 64 kbit/s at 50 packets/s)',
    maxLoss: 'loss bound in percent for the verdict (default 1)',
    concurrency: 'viewers set up at once (ICE + DTLS in the generator; default 8)',
    grace: 'seconds to wait after the window for packets in flight (default 2)',
    stopOnFail: 'on|off: stop the ramp at the first step that fails (default on)',
  },
  metrics: [
    'max_viewers_under_loss',
    'max_consumers_per_worker_under_loss',
    'loss_pct',
    'worst_loss_pct',
    'bitrate_kbps',
    'worker_sent_pct',
    'generator_cpu_pct',
    'worker_cpu_pct',
    'delay_p99',
  ],
  async run(ctx, opts): Promise<ScenarioResult> {
    const base = ctx.project.url;
    const media = await mediaInfo(base);
    const { hostToken, liveId } = await hostWithLive(base, 'media load test');
    const say = (s: string) => ctx.progress.update(`media-viewers · ${s}`);
    const tokens = await guestTokens(base, opts.viewers, {
      onProgress: (n) => say(`guest tokens ${n}/${opts.viewers}`),
    });
    const publisher = await startPublisher(base, hostToken, liveId, {
      packetsPerSecond: opts.rate,
      payloadBytes: opts.payload,
    });
    const viewers: MediaPeer<MscViewer>[] = [];
    const setupErrors: Record<string, number> = {};
    let stepError: string | undefined;
    const steps: StepResult[] = [];
    const rounds: RoundRecord[] = [];
    const perSecond: [number, number][] = [];
    let lastPackets = 0;
    const sampler = setInterval(() => {
      const total = viewers.reduce((n, v) => n + v.peer.packets, 0);
      perSecond.push([ctx.timeline.now(), total - lastPackets]);
      lastPackets = total;
    }, 1000);
    try {
      for (let target = Math.min(opts.step, opts.viewers); !ctx.signal.aborted; ) {
        const setupAt = performance.now();
        let next = viewers.length;
        const add = async () => {
          for (let i = next++; i < target && !ctx.signal.aborted; i = next++) {
            try {
              viewers.push(await startViewer(base, tokens[i]!, liveId));
            } catch (err) {
              const k = (err as Error).message.replace(/[0-9a-f-]{36}/g, 'ID').slice(0, 120);
              setupErrors[k] = (setupErrors[k] ?? 0) + 1;
            }
            say(`setting up viewers ${viewers.length}/${target}`);
          }
        };
        await Promise.all(Array.from({ length: opts.concurrency }, add));
        const setupS = round((performance.now() - setupAt) / 1000, 1);
        // Every viewer's transport connects (ICE + DTLS) after its setup: wait until each has packets.
        const until = performance.now() + 30_000;
        while (viewers.some((v) => v.peer.packets === 0) && performance.now() < until) await sleep(200);
        await sleep(1000);
        const endBand = ctx.timeline.band(`${viewers.length} viewers`, 'project');
        const step = await measureStep(
          ctx,
          {
            windowS: opts.window,
            graceMs: opts.grace * 1000,
            maxLossPct: opts.maxLoss,
            workerPids: media.pids,
          },
          publisher.peer,
          viewers,
        ).catch((err: Error) => {
          // NOTE: keep the steps measured so far; the report says where and why the ramp broke off.
          stepError = `at ${viewers.length} viewers: ${err.message}`;
          ctx.progress.log(`media-viewers: step failed ${stepError}`);
          return undefined;
        });
        endBand();
        if (!step) break;
        steps.push(step);
        const pass = stepPasses(step, opts.maxLoss);
        const workerCpu = step.workers.map((w) => w.cpuPercent ?? 0);
        const delay = step.latency.summary();
        rounds.push({
          side: 'project',
          label: `${step.viewers} viewers`,
          index: steps.length - 1,
          metrics: {
            viewers: step.viewers,
            setup_s: setupS,
            loss_pct: step.lossPct,
            worst_loss_pct: step.worstLossPct,
            viewers_over_loss: step.viewersOverLoss,
            viewers_silent: step.viewersSilent,
            bitrate_kbps: step.bitrateKbps,
            worker_sent_pct: step.workerSentPct,
            worker_reported_lost: step.workerReportedLost,
            udp_rcvbuf_errors: step.udpRcvbufErrors,
            generator_runqueue_wait_pct: step.generatorRunQueueWaitPct,
            publish_s: step.publishSeconds,
            delay_p50: delay.p50,
            delay_p99: delay.p99,
            consumers_max_per_worker: Math.max(0, ...step.workers.map((w) => w.consumers)),
            worker_cpu_pct: round(Math.max(0, ...workerCpu), 1),
            server_cpu_s: step.usage.serverSideCpuSeconds,
            server_cpu_pct: step.usage.server.cpuPercent,
            generator_cpu_pct: step.usage.generator.cpuPercent,
            generator_loop_lag_p99_ms: step.usage.generator.loopLag?.p99Ms ?? null,
            machine_other_cpu_pct: step.usage.machine.otherPct,
          },
          server: step.usage.server,
          generator: step.usage.generator,
          machine: step.usage.machine,
          verdicts: [
            {
              name: `loss < ${opts.maxLoss}%, every viewer received`,
              pass,
              detail: `loss ${step.lossPct}% (worst viewer ${step.worstLossPct}%), ${step.viewersSilent} silent, ${step.viewersOverLoss} over the bound`,
            },
          ],
          notes: [
            `workers: ${step.workers.map((w) => `pid ${w.pid}: ${w.routers} routers, ${w.consumers} consumers, ${w.cpuPercent ?? '?'}% CPU`).join('; ')}`,
            ...(step.silent.length ? [`silent viewers (first 10): ${JSON.stringify(step.silent)}`] : []),
          ],
        });
        ctx.progress.log(
          `media-viewers ${step.viewers} viewers: loss ${step.lossPct}% (worst ${step.worstLossPct}%), worker sent ${step.workerSentPct ?? '?'}%, ` +
            `${step.bitrateKbps} kbit/s, delay p99 ${delay.p99} ms, worker CPU ${workerCpu.join('/')}%, generator ${step.usage.generator.cpuPercent}% ` +
            `(waited for its CPU ${step.generatorRunQueueWaitPct ?? '?'}%), UDP receive-buffer drops ${step.udpRcvbufErrors ?? '?'}`,
        );
        if ((!pass && opts.stopOnFail) || target >= opts.viewers) break;
        target = Math.min(opts.viewers, target + opts.step);
      }
    } finally {
      clearInterval(sampler);
      for (const v of viewers) {
        v.peer.close();
        v.client.close();
      }
      publisher.peer.close();
      publisher.client.close();
    }
    return report(opts, steps, rounds, { setupErrors, stepError, perSecond, media });
  },
});

function report(
  opts: MediaViewersOptions,
  steps: StepResult[],
  rounds: RoundRecord[],
  x: {
    setupErrors: Record<string, number>;
    stepError?: string;
    perSecond: [number, number][];
    media: { pids: number[] };
  },
): ScenarioResult {
  const passing = steps.filter((s) => stepPasses(s, opts.maxLoss));
  const best = passing.at(-1);
  const last = steps.at(-1);
  const failedSetups = Object.values(x.setupErrors).reduce((a, b) => a + b, 0);
  const verdicts: Verdict[] = [
    {
      name: 'every viewer received media',
      pass: steps.length > 0 && steps.every((s) => s.viewersSilent === 0) && failedSetups === 0,
      detail: `${steps.map((s) => `${s.viewers}: ${s.viewersSilent} silent`).join(', ') || 'no step ran'}; ${failedSetups} viewers failed to set up ${failedSetups ? JSON.stringify(x.setupErrors) : ''}`,
    },
    {
      name: 'every step measured',
      pass: x.stepError === undefined,
      detail: x.stepError ?? `${steps.length} steps`,
    },
    {
      name: `loss < ${opts.maxLoss}% at every step`,
      pass: steps.length > 0 && steps.every((s) => s.lossPct < opts.maxLoss),
      detail: steps
        .map((s) => `${s.viewers} viewers: ${s.lossPct}% (worker sent ${s.workerSentPct ?? '?'}%)`)
        .join('; '),
    },
  ];
  const maxConsumers = (s: StepResult | undefined) =>
    s ? Math.max(0, ...s.workers.map((w) => w.consumers)) : null;
  const metrics = {
    max_viewers_under_loss: best?.viewers ?? 0,
    max_consumers_per_worker_under_loss: maxConsumers(best) ?? 0,
    loss_pct: last?.lossPct ?? null,
    worst_loss_pct: last?.worstLossPct ?? null,
    bitrate_kbps: last?.bitrateKbps ?? null,
    worker_sent_pct: last?.workerSentPct ?? null,
    generator_cpu_pct: last?.usage.generator.cpuPercent ?? null,
    worker_cpu_pct: last ? Math.max(0, ...last.workers.map((w) => w.cpuPercent ?? 0)) : null,
    delay_p99: last?.latency.summary().p99 ?? null,
  };
  const pinned = x.media.pids.map((pid) => `${pid} on CPU ${allowedCpus(pid) ?? '?'}`).join(', ');
  return {
    verdicts,
    metrics,
    comparisons: [],
    rounds,
    charts: {
      latency: {
        title: 'publisher → viewer delay per RTP packet (one process: includes the generator’s own queueing)',
        series: steps.map((s) => ({ name: `${s.viewers} viewers`, points: s.latency.buckets() })),
      },
      throughput: {
        title: 'RTP packets received per second, all viewers',
        unit: 'packets/s',
        series: [{ name: 'received', points: x.perSecond }],
      },
    },
    notes: [
      `publisher: one Opus-shaped audio track, ${opts.rate} packets/s × ${opts.payload} B payload (each packet carries its number and send time); no video — mediasoup forwards video only from a real keyframe, and the generator has no VP8 encoder`,
      `viewers: msc-node 0.0.21 (werift 0.18: ICE, DTLS, SRTP in JavaScript), one Socket.IO connection (wire client) each, all in the generator process`,
      `loss = 1 − received / (viewers × packets in the window); "worker sent" = packets the worker sent on each consumer ÷ packets that consumer's producer received, both read in one sfu:consumer:stats call before and after the window — about 100 % means the worker forwarded everything and loss is on the receiving (generator) side`,
      `mediasoup workers (pid on CPUs): ${pinned}`,
      `generator-side signs, per step: its CPU %, the share of the window its main thread waited for a CPU (runnable but others ran: /proc/self/schedstat), UDP datagrams the kernel dropped for full receive buffers (/proc/net/snmp RcvbufErrors, machine-wide), the publisher→viewer delay`,
    ],
    details: {
      steps: steps.map(({ latency, usage, ...s }) => ({ ...s, delay: latency.summary() })),
      setupErrors: x.setupErrors,
    },
  };
}
