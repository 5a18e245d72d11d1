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
