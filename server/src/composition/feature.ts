/**
 * What a feature is: a folder under features/ whose `<name>.feature.ts` exports one `Feature`. On the API node
 * `api` registers its routes, socket handlers, snapshot part, join hooks and tickers; on the job worker
 * `worker` registers its end-of-live steps and background jobs. The composition roots (app.ts, worker-app.ts)
 * run the one list in features.ts, in order.
 *
 * Features reach each other only through `Services`: a feature `provide`s what others may `use`, and declares
 * the entry's type by augmenting `Services` next to its `provide` call:
 *
 *   declare module '../../composition/services' { interface Services { likes: LikesService } }
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config';
import type { Tokens } from '../features/auth/tokens';
import type { App } from '../http/fastify';
import type { LeanRoutes } from '../http/lean-routes';
import type { Metrics } from '../http/metrics';
import type { Infra } from '../infra';
import type { EndOfLiveStep, StepRegistry } from '../jobs/end-of-live';
import type { Db } from '../ledger/db';
import type { BoundHandler } from '../realtime/define-handler';
import type { JoinHooks } from '../realtime/join-hooks';
import type { Membership } from '../realtime/membership';
import type { PresenceStore } from '../realtime/presence';
import type { RoomActions } from '../realtime/room-actions';
import type { RoomLog } from '../realtime/room-log';
import type { RoomTail } from '../realtime/room-tail';
import type { Snapshots } from '../realtime/snapshot';
import type { AppServer, AppSocket } from '../realtime/types';
import type { Keys } from '../redis/keys';
import type { Scripts } from '../redis/scripts';
import type { ServiceRegistry } from './services';

export interface FeatureLog {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
}

/** Socket.IO and the room tail, once they run: what tickers need. */
export interface Runtime {
  io: AppServer;
  tail: RoomTail;
}
export type Stop = () => unknown;

export interface RoomTicker<T> {
  intervalMs?: number;
  /** Current values of these rooms; a room missing from the map has nothing to show. */
  read(liveIds: string[]): Promise<Map<string, T>>;
  emit(io: AppServer, liveId: string, value: T): void;
}

/** What every feature gets on the API node. */
export interface ApiContext extends ServiceRegistry {
  config: Config;
  log: FeatureLog;
  app: App;
  /** Hot routes answered in front of Fastify with the same contract (http/lean-routes.ts). */
  lean: LeanRoutes;
  tokens: Tokens;
  redis: Redis;
  db: Db;
  keys: Keys;
  scripts: Scripts;
  infra: Infra;
  metrics: Metrics;
  /** Producer of the end-of-live job (`end-live-<liveId>`). */
  endQueue: Queue;
  roomLog: RoomLog;
  presence: PresenceStore;
  snapshots: Snapshots;
  joinHooks: JoinHooks;
  /** Which sockets are in which room on this node (joins, leaves, presence). */
  membership: Membership;
  /** Reaching people (a user's sockets, a live's staff) on every node. */
  actions: RoomActions;
  /** Socket.IO; call it from handlers and hooks, not while registering (it starts after every feature). */
  io(): AppServer;
  /** Socket commands (defineHandler) this feature answers. */
  handle(...handlers: BoundHandler[]): void;
  /** Starts background work once Socket.IO runs; the returned stop runs at shutdown (reverse order). */
  onStart(name: string, start: (rt: Runtime) => Stop | undefined): void;
  /**
   * Broadcasts a counter of each room this node serves (like totals, tallies, entrant counts) to its local
   * sockets when it changed, at most every `intervalMs` (default COUNTERS_BROADCAST_MS), from start to shutdown.
   */
  roomTicker<T>(name: string, ticker: RoomTicker<T>): void;
  /** Adds a dependency check to GET /readyz (e.g. media workers). */
  readyCheck(name: string, check: () => Promise<unknown>): void;
  /** Runs at shutdown, after the realtime layer closed (reverse registration order). */
  onClose(name: string, close: Stop): void;
  /** Sees every frame of room events this node emits (e.g. a live's status changing). */
  onRoomFrame(fn: (liveId: string, events: ReadonlyArray<{ type: string; data: unknown }>) => void): void;
  /** Called once per (socket, live) when the socket leaves the room or disconnects. */
  onSocketLeave(fn: (socket: AppSocket, liveId: string) => void): void;
}

/** What every feature gets on the job worker. */
export interface WorkerContext extends ServiceRegistry {
  config: Config;
  log: FeatureLog;
  infra: Infra;
  /** Registers an end-of-live step (run once per live as `<step>-<liveId>`). */
  step(step: EndOfLiveStep): void;
  /** Every registered step (complete once all features registered: read it when a step runs). */
  steps: StepRegistry;
  /** Runs the step again for a live just after `at` (epoch ms, plus 1 s of slack so a deadline at `at` has passed), as the job `<step>-<liveId>-<at>`: asking twice schedules once. */
  rerunAt(step: string, liveId: string, endedAt: string, at: number): Promise<unknown>;
  onClose(name: string, close: Stop): void;
}

export interface Feature {
  /** kebab-case, unique. */
  readonly name: string;
  api?(ctx: ApiContext): void | Promise<void>;
  worker?(ctx: WorkerContext): void | Promise<void>;
}

export const defineFeature = (feature: Feature): Feature => feature;
