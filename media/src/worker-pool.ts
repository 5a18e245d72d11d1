/**
 * Worker pool: owns the mediasoup worker processes of this node. Spawns N workers, keeps N alive (a worker that
 * dies is reported with `workerdied` and replaced), accounts load as live consumers per worker, and hands rooms
 * the least-loaded worker. Knows nothing of rooms: load is observed through mediasoup's observer events.
 */
import { EventEmitter } from 'node:events';
import type { types as ms } from 'mediasoup';
import * as mediasoup from 'mediasoup';
import {
  type MediaConfig,
  type MediaConfigInput,
  type MediaLogger,
  parseMediaConfig,
  silentLogger,
} from './media-config';

export interface WorkerDiedEvent {
  pid: number;
  error: Error;
}

export interface WorkerPoolEvents {
  /** A worker process exited unexpectedly; its routers (and their transports) are already closed. */
  workerdied: [WorkerDiedEvent];
  /** A worker was spawned to replace a dead one. */
  workeradded: [ms.Worker];
}

export interface WorkerStats {
  pid: number;
  alive: boolean;
  routers: number;
  consumers: number;
}

export interface WorkerPoolStats {
  /** Configured pool size. */
  size: number;
  /** Workers currently running (less than size while a replacement is being spawned). */
  alive: number;
  closed: boolean;
  workers: WorkerStats[];
}

export interface WorkerPoolOptions extends MediaConfigInput {
  logger?: MediaLogger;
}

interface Load {
  routers: number;
  consumers: number;
}

const RESPAWN_BACKOFF_MS = [0, 500, 1000, 2000, 5000, 10_000];

export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  readonly config: MediaConfig;
  readonly #log: MediaLogger;
  readonly #workers: ms.Worker[] = [];
  readonly #load = new WeakMap<ms.Worker, Load>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #closed = false;

  /** Use createWorkerPool(). */
  constructor(config: MediaConfig, logger: MediaLogger) {
    super();
    this.config = config;
    this.#log = logger;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Running workers, in spawn order. */
  get workers(): readonly ms.Worker[] {
    return this.#workers;
  }

  /** Live consumers on a worker (WebRTC and pipe consumers of every router on it). */
  load(worker: ms.Worker): number {
    return this.#load.get(worker)?.consumers ?? 0;
  }

  /** The running worker with the fewest consumers (ties: fewest routers, then spawn order). */
  leastLoaded(): ms.Worker {
    let best: ms.Worker | undefined;
    for (const w of this.#workers) {
      if (w.closed) continue;
      if (!best) {
        best = w;
        continue;
      }
      const a = this.#load.get(w)!;
      const b = this.#load.get(best)!;
      if (a.consumers < b.consumers || (a.consumers === b.consumers && a.routers < b.routers)) best = w;
    }
    if (!best) throw new Error(this.#closed ? 'worker pool is closed' : 'no mediasoup worker is running');
    return best;
  }

  stats(): WorkerPoolStats {
    const workers = this.#workers.map((w) => ({
      pid: w.pid,
      alive: !w.closed,
      routers: this.#load.get(w)?.routers ?? 0,
      consumers: this.#load.get(w)?.consumers ?? 0,
    }));
    return {
      size: this.config.numWorkers,
      alive: workers.filter((w) => w.alive).length,
      closed: this.#closed,
      workers,
    };
  }

  /** Closes every worker (and so every router, transport, producer and consumer). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const w of this.#workers.splice(0)) w.close();
  }

  /** @internal Spawns one worker and adds it to the pool. */
  async spawn(): Promise<ms.Worker> {
    const { logLevel, rtcMinPort, rtcMaxPort } = this.config;
    const worker = await mediasoup.createWorker({ logLevel, rtcMinPort, rtcMaxPort });
    // NOTE: the pool may have been closed while the process was starting; don't leak it.
    if (this.#closed) {
      worker.close();
      throw new Error('worker pool is closed');
    }
    this.#track(worker);
    this.#workers.push(worker);
    worker.on('died', (error: Error) => this.#onDied(worker, error));
    return worker;
  }

  #track(worker: ms.Worker): void {
    const load: Load = { routers: 0, consumers: 0 };
    this.#load.set(worker, load);
    worker.observer.on('newrouter', (router: ms.Router) => {
      load.routers++;
      router.observer.once('close', () => load.routers--);
      router.observer.on('newtransport', (transport: ms.Transport) => {
        transport.observer.on('newconsumer', (consumer: ms.Consumer) => {
          load.consumers++;
          consumer.observer.once('close', () => load.consumers--);
        });
      });
    });
  }

  #onDied(worker: ms.Worker, error: Error): void {
    const i = this.#workers.indexOf(worker);
    if (i >= 0) this.#workers.splice(i, 1);
    if (this.#closed) return;
    this.#log.error({ pid: worker.pid, err: error }, 'mediasoup worker died; spawning a replacement');
    // NOTE: mediasoup closes the worker's routers before emitting 'died', so listeners see them closed already.
    this.emit('workerdied', { pid: worker.pid, error });
    this.#respawn(0);
  }

  #respawn(attempt: number): void {
    const delay = RESPAWN_BACKOFF_MS[Math.min(attempt, RESPAWN_BACKOFF_MS.length - 1)]!;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#closed) return;
      this.spawn().then(
        (w) => {
          this.#log.info({ pid: w.pid }, 'mediasoup worker replaced');
          this.emit('workeradded', w);
        },
        (err: unknown) => {
          if (this.#closed) return;
          this.#log.error({ err, attempt }, 'mediasoup worker respawn failed; retrying');
          this.#respawn(attempt + 1);
        },
      );
    }, delay);
    this.#timers.add(timer);
  }
}

/** Spawns the configured number of workers; if any fails to start, closes the others and rejects. */
export async function createWorkerPool(opts: WorkerPoolOptions = {}): Promise<WorkerPool> {
  const { logger, ...input } = opts;
  const pool = new WorkerPool(parseMediaConfig(input), logger ?? silentLogger);
  const results = await Promise.allSettled(
    Array.from({ length: pool.config.numWorkers }, () => pool.spawn()),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    pool.close();
    throw new Error(`cannot start mediasoup workers: ${String(failed.reason)}`, { cause: failed.reason });
  }
  return pool;
}
