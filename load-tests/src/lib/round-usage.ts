/**
 * Everything a round measures besides its own metrics: the server's CPU-seconds, peak RSS and event-loop delay,
 * the generator's, the server's companions (its redis-server when spawned), and the machine-wide CPU — whatever
 * the machine spent beyond those processes is `otherPct`: other work on a shared box, plus kernel interrupt time
 * (loopback networking at high message rates) that no process is charged for. Reported so a reader can tell a
 * quiet run from a contended one.
 */
import { cpus } from 'node:os';
import type { Endpoint } from './processes';
import { measure, measureSystem, type Usage } from './resources';

export interface RoundUsage {
  server: Usage;
  generator: Usage;
  /** CPU-seconds of the whole server side: the server plus its companions (its own redis-server when spawned). */
  serverSideCpuSeconds: number | null;
  machine: {
    /** Machine-wide CPU in % of one core (2 cores: up to 200). */
    busyPct: number | null;
    /** Of which not charged to the server, its companions or the generator: other processes, kernel interrupts. */
    otherPct: number | null;
  };
}

export async function measureRound(endpoint: Endpoint) {
  const server = await measure(endpoint.resources, { metricsUrl: endpoint.metricsUrl });
  const generator = await measure({ kind: 'self' });
  const companions = await Promise.all(
    (endpoint.companions ?? []).map((c) => measure({ kind: 'proc', pid: c.pid })),
  );
  const system = measureSystem(cpus().length);
  return {
    async stop(): Promise<RoundUsage> {
      const busyPct = system.stop();
      const [s, g, ...cs] = await Promise.all([
        server.stop(),
        generator.stop(),
        ...companions.map((c) => c.stop()),
      ]);
      const ours = [s!, g!, ...cs].map((u) => u.cpuPercent);
      const otherPct =
        busyPct === null || ours.some((p) => p === null)
          ? null
          : Math.max(0, Math.round((busyPct - ours.reduce((a, b) => a! + b!, 0)!) * 10) / 10);
      const side = [s!, ...cs].map((u) => u.cpuSeconds);
      const serverSideCpuSeconds = side.some((x) => x === null)
        ? null
        : Math.round(side.reduce((a, b) => a! + b!, 0)! * 100) / 100;
      return { server: s!, generator: g!, serverSideCpuSeconds, machine: { busyPct, otherPct } };
    },
  };
}

/**
 * CPU per call, split the way the hot-path targets read (issue #15): the Node server process alone, its Redis
 * (the companions) alone, and both; plus calls per Node CPU-second (the flash-sale target's unit). Null where
 * a figure is unknown (a server at --url has no companions measured).
 */
export function perCall(usage: RoundUsage, calls: number) {
  const node = usage.server.cpuSeconds;
  const side = usage.serverSideCpuSeconds;
  const redis = node !== null && side !== null ? Math.max(0, side - node) : null;
  const us = (s: number | null) => (s === null || calls <= 0 ? null : Math.round((s / calls) * 1e7) / 10);
  return {
    node_cpu_s: node === null ? null : Math.round(node * 100) / 100,
    redis_cpu_s: redis === null ? null : Math.round(redis * 100) / 100,
    node_us_per_call: us(node),
    redis_us_per_call: us(redis),
    server_side_us_per_call: us(side),
    calls_per_node_cpu_s: node && node > 0 ? Math.round(calls / node) : null,
  };
}
