/**
 * Scale on 2 cores: memory per simulated viewer for the raw-ws wire client vs full socket.io-client instances,
 * each measured in its own fresh child process (forced GC before and after), alternating wire sio wire sio.
 * While a probe's clients are connected, the server's RSS growth per socket is read too (benchmark #2's
 * "RSS per socket", at this scale; not GC-forced, so approximate).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { collectGarbage } from '../lib/inspector';
import { startNodeScript } from '../lib/processes';
import { guestTokens, hostWithLive, roomSnapshot } from '../lib/project-api';
import { NO_USAGE, read } from '../lib/resources';
import { median, ratio, round } from '../lib/stats';
import { int } from '../options';
import { defineScenario, type RoundRecord, type ScenarioResult } from '../scenario';
import type { ClientKind } from './room-client';

export const SwarmMemoryOptions = z.object({
  clients: int(10, 18_000).default(1000),
  rounds: int(1, 10).default(2),
});

interface ProbeResult {
  kind: ClientKind;
  clients: number;
  failed: number;
  rssKBPerClient: number;
  heapKBPerClient: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const swarmMemoryScenario = defineScenario({
  name: 'swarm-memory',
  summary:
    'memory per simulated viewer: raw-ws wire client vs socket.io-client (fresh processes, A B A B); server RSS per socket',
  benchmark: '#2',
  options: SwarmMemoryOptions,
  help: {
    clients: 'clients per probe process (default 1000; the fd limit here is 20000 per process)',
    rounds: 'wire/sio pairs (default 2)',
  },
  metrics: [
    'wire_kb_per_client',
    'sio_kb_per_client',
    'sio_to_wire',
    'server_kb_per_socket',
    'server_heap_kb_per_socket',
    'failures',
  ],
  async run(ctx, opts): Promise<ScenarioResult> {
    const records: RoundRecord[] = [];
    const probes: ProbeResult[] = [];
    const serverKB: number[] = [];
    const serverHeapKB: number[] = [];
    const gcOnServer = ctx.project.inspectorUrl !== undefined;
    /** The server's RSS (and V8 heap), after a forced full GC when the kit spawned it. */
    const serverMemory = async () => {
      const heap = ctx.project.inspectorUrl
        ? await collectGarbage(ctx.project.inspectorUrl).catch(() => undefined)
        : undefined;
      const r = await read(ctx.project.resources);
      return r ? { rss: r.rssBytes, heap: heap?.usedBytes } : undefined;
    };
    for (let i = 0; i < opts.rounds && !ctx.signal.aborted; i++) {
      for (const kind of ['wire', 'sio'] as const) {
        const say = (s: string) => ctx.progress.update(`swarm-memory ${kind} round ${i + 1} · ${s}`);
        const { liveId, hostToken } = await hostWithLive(ctx.project.url);
        const tokens = await guestTokens(ctx.project.url, opts.clients + 1, {
          onProgress: (n) => say(`guest tokens ${n}/${opts.clients + 1}`),
        });
        const file = join(tmpdir(), `lc-probe-${process.pid}-${kind}-${i}.json`);
        writeFileSync(file, JSON.stringify(tokens));
        const serverBefore = await serverMemory();
        let measured: ProbeResult | undefined;
        let serverDelta: { rss: number; heap?: number } | undefined;
        const onlineAt: number[] = [];
        say(`connecting ${opts.clients} clients in a fresh process`);
        const endBand = ctx.timeline.band(`${kind} #${i + 1}`, kind === 'wire' ? 'project' : 'baseline');
        const probe = startNodeScript(
          'load-tests/src/realtime/memory-probe.ts',
          [ctx.project.url, kind, liveId, file, '5000'],
          {
            cpu: ctx.clientCpu,
            nodeFlags: ['--expose-gc'],
            onLine: (line) => {
              if (!line.startsWith('MEASURED ')) return;
              measured = JSON.parse(line.slice(9)) as ProbeResult;
              void (async () => {
                const now = await serverMemory();
                if (serverBefore && now) {
                  serverDelta = {
                    rss: now.rss - serverBefore.rss,
                    heap:
                      now.heap !== undefined && serverBefore.heap !== undefined
                        ? now.heap - serverBefore.heap
                        : undefined,
                  };
                }
                onlineAt.push((await roomSnapshot(ctx.project.url, liveId, hostToken)).presence.online);
              })();
            },
          },
        );
        const code = await Promise.race([probe.exited, sleep(300_000).then(() => 'timeout' as const)]);
        endBand();
        rmSync(file, { force: true });
        if (code !== 0 || !measured) {
          await probe.stop();
          throw new Error(`memory probe (${kind}) failed (${code}):\n${probe.tail()}`);
        }
        const m = measured as ProbeResult;
        probes.push(m);
        const kbPer = (bytes: number | undefined) =>
          bytes === undefined ? null : round(bytes / 1024 / Math.max(1, m.clients), 1);
        const perSocket = kbPer(serverDelta?.rss);
        const heapPerSocket = kbPer(serverDelta?.heap);
        if (perSocket !== null) serverKB.push(perSocket);
        if (heapPerSocket !== null) serverHeapKB.push(heapPerSocket);
        records.push({
          side: kind === 'wire' ? 'project' : 'baseline',
          label: kind === 'wire' ? 'wire (raw ws)' : 'socket.io-client',
          index: i,
          metrics: {
            clients: m.clients,
            failed: m.failed,
            rss_kb_per_client: m.rssKBPerClient,
            heap_kb_per_client: m.heapKBPerClient,
            server_kb_per_socket: perSocket,
            server_heap_kb_per_socket: heapPerSocket,
            online: onlineAt[0] ?? null,
          },
          server: NO_USAGE,
          generator: NO_USAGE,
          verdicts: [
            {
              name: 'every client connected and joined',
              pass: m.failed === 0 && m.clients === opts.clients,
              detail: `${m.clients} joined, ${m.failed} failed`,
            },
          ],
        });
        ctx.progress.log(
          `swarm-memory ${kind} round ${i + 1}: ${m.rssKBPerClient} KB RSS/client, ${m.heapKBPerClient} KB heap/client, server +${perSocket ?? '?'} KB/socket`,
        );
        await sleep(1500); // let the server release the previous probe's sockets
      }
    }
    const per = (kind: ClientKind, k: 'rssKBPerClient' | 'heapKBPerClient') =>
      probes.filter((p) => p.kind === kind).map((p) => p[k]);
    const wire = median(per('wire', 'rssKBPerClient'));
    const sio = median(per('sio', 'rssKBPerClient'));
    const bad = records.flatMap((r) => r.verdicts).filter((v) => !v.pass);
    const lighter = wire !== null && sio !== null ? (wire < sio ? 'wire' : 'sio') : 'unknown';
    return {
      verdicts: [
        {
          name: 'every client connected and joined',
          pass: records.length > 0 && bad.length === 0,
          detail: bad.length
            ? bad.map((v) => v.detail).join('; ')
            : `${records.length} probes × ${opts.clients} clients`,
        },
      ],
      metrics: {
        wire_kb_per_client: wire,
        sio_kb_per_client: sio,
        sio_to_wire: ratio(sio, wire),
        wire_heap_kb_per_client: median(per('wire', 'heapKBPerClient')),
        sio_heap_kb_per_client: median(per('sio', 'heapKBPerClient')),
        server_kb_per_socket: median(serverKB),
        server_heap_kb_per_socket: median(serverHeapKB),
        failures: probes.reduce((a, p) => a + p.failed, 0),
      },
      comparisons: [
        {
          metric: 'rss_kb_per_client',
          baseline: 'socket.io-client instances',
          higherIsBetter: false,
          project: per('wire', 'rssKBPerClient'),
          baselineValues: per('sio', 'rssKBPerClient'),
          projectMedian: wire,
          baselineMedian: sio,
          ratio: ratio(wire, sio),
        },
      ],
      rounds: records,
      charts: {},
      notes: [
        `${opts.clients} clients per fresh probe process (node --expose-gc), connected and joined; RSS and heap+external deltas after forced GCs, per client`,
        `lighter per simulated viewer: ${lighter}`,
        gcOnServer
          ? 'server_kb_per_socket / server_heap_kb_per_socket: growth of the server RSS / V8 heap while a probe held its clients ÷ clients, each read after a forced full GC in the server (DevTools protocol on the spawned server)'
          : 'server_kb_per_socket: growth of the server RSS while a probe held its clients ÷ clients (server not spawned by the kit: no forced GC, approximate)',
      ],
    };
  },
});
