/**
 * Router fan-out of one media room: the origin router (where the host's producers live) and the routers on other
 * workers those producers are piped to (`pipeToRouter`). Owns the room's producer registry, the piping, and the
 * choice of router for each new viewer. Transports, peers and consumers belong to MediaRoom.
 */
import type { types as ms } from 'mediasoup';
import { mediaCodecs } from './media-config';
import type { WorkerPool } from './worker-pool';

/** What a slot needs to know about a viewer's recv transport placed on it. */
export interface Placed {
  consumers: Set<string>;
}

export interface Slot {
  router: ms.Router;
  worker: ms.Worker;
  origin: boolean;
  /** Consumers reserved by viewer transports being created right now. */
  pending: number;
  recv: Set<Placed>;
  /** Pipe of each producer into this (non-origin) router; resolves false if piping failed. */
  pipes: Map<string, Promise<boolean>>;
}

/** `load` = consumers plus the slots reserved for viewers that have not consumed everything yet. */
export type RouterStats = { id: string; workerPid: number; origin: boolean; consumers: number; load: number };

export class RouterFanout {
  readonly origin: Slot;
  readonly #pool: WorkerPool;
  readonly #liveId: string;
  readonly #slots: Slot[] = [];
  readonly #producers = new Map<string, ms.Producer>();
  readonly #onOriginClosed: () => void;
  #growing: Promise<void> | undefined;
  #closed = false;

  constructor(opts: {
    pool: WorkerPool;
    liveId: string;
    worker: ms.Worker;
    router: ms.Router;
    onOriginClosed: () => void;
  }) {
    this.#pool = opts.pool;
    this.#liveId = opts.liveId;
    this.#onOriginClosed = opts.onOriginClosed;
    this.origin = this.#addSlot(opts.router, opts.worker, true);
  }

  get producerCount(): number {
    return this.#producers.size;
  }

  /** Registered producers, in the order they were added. */
  get producers(): ms.Producer[] {
    return [...this.#producers.values()];
  }

  hasProducer(producerId: string): boolean {
    return this.#producers.has(producerId);
  }

  /** Registers a producer created on the origin router and pipes it to every other router. */
  addProducer(producer: ms.Producer): void {
    this.#producers.set(producer.id, producer);
    producer.observer.once('close', () => this.#producers.delete(producer.id));
    for (const slot of this.#slots) if (!slot.origin) this.#pipe(slot, producer);
  }

  /** Resolves true once `producerId` can be consumed on the slot's router. */
  async ready(slot: Slot, producerId: string): Promise<boolean> {
    if (!this.#producers.has(producerId)) return false;
    return slot.origin || ((await slot.pipes.get(producerId)) ?? false);
  }

  /**
   * Picks the router for a new viewer and reserves its expected consumers there; the caller gives them back
   * (`slot.pending -= reserved`) once its transport is registered in `slot.recv`. NOTE: placement happens when
   * the recv transport is created (a transport lives on one router), before the viewer consumes anything —
   * hence the reservation, so a burst of joins spreads over routers instead of all landing on the first one.
   */
  async place(): Promise<{ slot: Slot; reserved: number }> {
    const threshold = this.#pool.config.consumersPerRouterThreshold;
    for (;;) {
      if (this.#closed) throw new Error('router fan-out is closed');
      const reserved = this.#perViewer();
      const slot = this.#slots.find((s) => {
        const load = this.#load(s);
        return load === 0 || load + reserved <= threshold;
      });
      if (slot) {
        slot.pending += reserved;
        return { slot, reserved };
      }
      // NOTE: one router is added at a time; joins arriving meanwhile wait for it rather than each adding one.
      this.#growing ??= this.#addPipedRouter().finally(() => {
        this.#growing = undefined;
      });
      await this.#growing;
    }
  }

  stats(): RouterStats[] {
    return this.#slots.map((s) => ({
      id: s.router.id,
      workerPid: s.worker.pid,
      origin: s.origin,
      consumers: [...s.recv].reduce((n, p) => n + p.consumers.size, 0),
      load: this.#load(s),
    }));
  }

  /** Closes the piped routers, then the origin. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const slot of [...this.#slots].reverse()) slot.router.close();
    this.#slots.length = 0;
    this.#producers.clear();
  }

  /** Consumers a viewer is expected to open: one per producer of the room (at least one). */
  #perViewer(): number {
    return Math.max(1, this.#producers.size);
  }

  #load(slot: Slot): number {
    const expected = this.#perViewer();
    let load = slot.pending;
    for (const p of slot.recv) load += Math.max(p.consumers.size, expected);
    return load;
  }

  #addSlot(router: ms.Router, worker: ms.Worker, origin: boolean): Slot {
    const slot: Slot = { router, worker, origin, pending: 0, recv: new Set(), pipes: new Map() };
    this.#slots.push(slot);
    router.observer.once('close', () => {
      if (origin) return this.#onOriginClosed();
      const i = this.#slots.indexOf(slot);
      if (i >= 0) this.#slots.splice(i, 1);
    });
    return slot;
  }

  async #addPipedRouter(): Promise<void> {
    const worker = this.#pool.leastLoaded();
    const router = await worker.createRouter({ mediaCodecs, appData: { liveId: this.#liveId } });
    if (this.#closed) {
      router.close();
      throw new Error('router fan-out is closed');
    }
    // NOTE: the slot is listed and the producers snapshotted in the same tick: a producer added after this
    // point is piped by addProducer(), one added before is piped here — none is missed or piped twice.
    const slot = this.#addSlot(router, worker, false);
    for (const producer of this.#producers.values()) this.#pipe(slot, producer);
    await Promise.all(slot.pipes.values());
  }

  #pipe(slot: Slot, producer: ms.Producer): void {
    const done = this.origin.router.pipeToRouter({ producerId: producer.id, router: slot.router }).then(
      () => true,
      () => false, // the producer or the target router closed meanwhile: ready() says no
    );
    slot.pipes.set(producer.id, done);
    producer.observer.once('close', () => slot.pipes.delete(producer.id));
  }
}
