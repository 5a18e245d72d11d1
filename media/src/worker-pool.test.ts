/**
 * Worker pool against real mediasoup 3.8.4 worker processes (MEDIASOUP_WORKER_BIN, built by
 * scripts/mediasoup-worker.sh). No mocks: workers are spawned, loaded and killed for real.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWorkerPool, type WorkerDiedEvent, type WorkerPool } from './worker-pool';

if (!process.env.MEDIASOUP_WORKER_BIN) {
  throw new Error(
    'MEDIASOUP_WORKER_BIN is not set: export MEDIASOUP_WORKER_BIN="$(bash scripts/mediasoup-worker.sh)"',
  );
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const pools: WorkerPool[] = [];
async function pool(numWorkers: number) {
  const p = await createWorkerPool({ numWorkers, rtcMinPort: 42000, rtcMaxPort: 42999, logLevel: 'none' });
  pools.push(p);
  return p;
}
afterEach(() => {
  for (const p of pools.splice(0)) p.close();
});

describe('worker pool', () => {
  it('starts the configured number of workers and reports them in stats', async () => {
    const p = await pool(2);
    const stats = p.stats();
    expect(stats).toMatchObject({ size: 2, alive: 2, closed: false });
    expect(new Set(stats.workers.map((w) => w.pid)).size).toBe(2);
    for (const w of stats.workers) {
      expect(w).toMatchObject({ alive: true, routers: 0, consumers: 0 });
      expect(isRunning(w.pid)).toBe(true);
    }
  });

  it('defaults to one worker per CPU core', async () => {
    const { cpus } = await import('node:os');
    const p = await createWorkerPool({ logLevel: 'none' });
    pools.push(p);
    expect(p.stats().alive).toBe(cpus().length);
  });

  it('replaces a worker killed with SIGKILL and reports it with workerdied', async () => {
    const p = await pool(2);
    const victim = p.workers[0]!;
    const died = once(p, 'workerdied') as Promise<[WorkerDiedEvent]>;
    const added = once(p, 'workeradded');
    process.kill(victim.pid, 'SIGKILL');

    const [event] = await died;
    expect(event.pid).toBe(victim.pid);
    expect(event.error.message).toContain('SIGKILL');
    await added;
    const stats = p.stats();
    expect(stats.alive).toBe(2);
    expect(stats.workers.map((w) => w.pid)).not.toContain(victim.pid);
    expect(stats.workers.every((w) => isRunning(w.pid))).toBe(true);
  });

  it('counts consumers per worker and hands out the least-loaded one', async () => {
    const p = await pool(2);
    const [a, b] = p.workers as [NonNullable<(typeof p.workers)[0]>, NonNullable<(typeof p.workers)[0]>];
    const router = await a.createRouter({
      mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
    });
    const ingest = await router.createPlainTransport({ listenIp: '127.0.0.1', comedia: true, rtcpMux: true });
    const producer = await ingest.produce({
      kind: 'audio',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
        encodings: [{ ssrc: 1111 }],
      },
    });
    const out = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true });
    const consumer = await out.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });

    expect(p.load(a)).toBe(1);
    expect(p.leastLoaded()).toBe(b);
    expect(p.stats().workers[0]).toMatchObject({ pid: a.pid, routers: 1, consumers: 1 });

    consumer.close();
    expect(p.load(a)).toBe(0);
    router.close();
    expect(p.stats().workers[0]).toMatchObject({ routers: 0, consumers: 0 });
  });

  it('closes idempotently, stopping every worker process and handing out none', async () => {
    const p = await pool(2);
    const pids = p.workers.map((w) => w.pid);
    p.close();
    p.close();
    expect(p.stats()).toMatchObject({ closed: true, alive: 0 });
    expect(() => p.leastLoaded()).toThrow(/closed/);
    await vi.waitFor(() => expect(pids.filter(isRunning)).toEqual([]), { timeout: 5000 });
  });

  it('rejects when the options are invalid', async () => {
    await expect(createWorkerPool({ rtcMinPort: 50000, rtcMaxPort: 40000 })).rejects.toThrow(/rtcMinPort/);
  });
});
