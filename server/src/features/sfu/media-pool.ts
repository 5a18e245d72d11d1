/**
 * The node's mediasoup worker pool as the app sees it: started from config at boot (with the listen/announced
 * IPs logged, and warnings when browsers could not reach them), its /readyz check, and its /metrics gauges.
 */
import { Gauge } from 'prom-client';
import { createWorkerPool, type WorkerPool } from '../../../../media/src/worker-pool';
import type { Config } from '../../config';
import type { Metrics } from '../../http/metrics';
import { type MediaNetwork, mediaNetwork } from './media-network';
import type { MediaRooms } from './media-rooms';

type Log = {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
};

export async function openMediaPool(
  config: Config,
  log: Log,
): Promise<{ pool: WorkerPool; network: MediaNetwork }> {
  const network = mediaNetwork(config);
  const { warnings, ...where } = network;
  log.info({ ...where, workers: config.MEDIA_WORKERS }, 'media: starting mediasoup workers');
  for (const warning of warnings) log.warn({ ...where }, `media: ${warning}`);
  try {
    const pool = await createWorkerPool({
      numWorkers: config.MEDIA_WORKERS,
      rtcMinPort: config.MEDIA_RTC_MIN_PORT,
      rtcMaxPort: config.MEDIA_RTC_MAX_PORT,
      listenIp: config.MEDIA_LISTEN_IP,
      announcedIp: config.MEDIA_ANNOUNCED_IP,
      consumersPerRouterThreshold: config.MEDIA_CONSUMERS_PER_ROUTER,
      logger: log,
    });
    log.info({ pids: pool.workers.map((w) => w.pid) }, 'media: workers running');
    return { pool, network };
  } catch (err) {
    throw new Error(
      `${(err as Error).message} — check MEDIASOUP_WORKER_BIN (a mediasoup 3.8.4 worker, see README "Media"), or set MEDIA_ENABLED=false to run without media`,
      { cause: err },
    );
  }
}

/** /readyz `media`: fails when no worker runs; otherwise reports workers, addresses and warnings. */
export function mediaReadiness(pool: WorkerPool, network: MediaNetwork) {
  return async () => {
    const stats = pool.stats();
    if (stats.alive === 0) throw new Error(`no mediasoup worker is running (0 of ${stats.size})`);
    return {
      workers: stats.alive,
      size: stats.size,
      pids: stats.workers.map((w) => w.pid),
      listenIp: network.listenIp,
      announcedIp: network.announcedIp,
      candidateIp: network.candidateIp,
      rtcPorts: network.rtcPorts,
      warnings: network.warnings,
    };
  };
}

/** Per-worker routers, consumers and CPU; producers and rooms of this node. Read at scrape time. */
export function registerMediaMetrics(metrics: Metrics, pool: WorkerPool, mediaRooms: MediaRooms): void {
  const registers = [metrics.registry];
  const workers = new Gauge({ name: 'lc_media_workers', help: 'mediasoup workers running', registers });
  const routers = new Gauge({
    name: 'lc_media_routers',
    help: 'Routers per mediasoup worker',
    labelNames: ['pid'] as const,
    registers,
  });
  const consumers = new Gauge({
    name: 'lc_media_consumers',
    help: 'Consumers (WebRTC and pipe) per mediasoup worker',
    labelNames: ['pid'] as const,
    registers,
  });
  const cpu = new Gauge({
    name: 'lc_media_worker_cpu_seconds',
    help: 'CPU time (user + system) used by each mediasoup worker',
    labelNames: ['pid'] as const,
    registers,
  });
  const producers = new Gauge({ name: 'lc_media_producers', help: 'Producers on this node', registers });
  const rooms = new Gauge({ name: 'lc_media_rooms', help: 'Open media rooms on this node', registers });
  const peers = new Gauge({ name: 'lc_media_peers', help: 'Peers in media rooms on this node', registers });
  metrics.addCollector(async () => {
    const stats = pool.stats();
    // NOTE: reset so replaced workers' pids do not linger as stale series.
    routers.reset();
    consumers.reset();
    cpu.reset();
    workers.set(stats.alive);
    for (const w of stats.workers) {
      routers.set({ pid: String(w.pid) }, w.routers);
      consumers.set({ pid: String(w.pid) }, w.consumers);
    }
    await Promise.all(
      pool.workers.map(async (w) => {
        const usage = await w.getResourceUsage().catch(() => undefined);
        if (usage) cpu.set({ pid: String(w.pid) }, (usage.ru_utime + usage.ru_stime) / 1000);
      }),
    );
    const s = await mediaRooms.stats();
    producers.set(s.producers);
    rooms.set(s.rooms);
    peers.set(s.peers);
  });
}
