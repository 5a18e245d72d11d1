/**
 * API nodes heartbeat in Redis, and the survivors sweep a node that stopped: its presence (connections,
 * online counts) is released and the watch sessions it held are closed at its last heartbeat. Each sweep is
 * claimed by one survivor (node-claim-2.lua) and every step is idempotent, so a sweeper that dies mid-way is
 * replaced and nothing is released twice.
 *
 * A node that was only stalled (swept while alive) learns it at its next beat (node-beat-2.lua answers 0): it
 * releases whatever of its presence is left and records its live connections again, under its own lock, so
 * nothing is counted twice. A node restarted with the same NODE_ID cleans up its previous life the same way.
 * NOTE: likes a dead node had summed but not flushed (at most LIKE_FLUSH_MS of taps) die with its memory.
 * NOTE: a join racing a repair on the same node may be recorded by both; it is released when that socket leaves.
 */
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys';
import type { Scripts } from '../redis/scripts';
import type { PresenceStore } from './presence';

type Log = { info(o: object, m?: string): void; warn(o: object, m?: string): void };

export interface LocalConnection {
  liveId: string;
  userId: string;
}

export function createNodeRegistry(deps: {
  redis: Redis;
  scripts: Scripts;
  keys: Keys;
  presence: PresenceStore;
  nodeId: string;
  heartbeatMs: number;
  /** A node whose last heartbeat is older than this is swept. */
  deadAfterMs: number;
  /** This node's joined connections (one entry per socket and room), to record again after a repair. */
  localConnections: () => Iterable<LocalConnection>;
  log: Log;
  now?: () => number;
}) {
  const { redis, scripts, keys, nodeId, presence, log } = deps;
  const now = deps.now ?? Date.now;
  const lockMs = Math.max(30_000, deps.heartbeatMs * 10);
  const noted = new Set<string>();
  let timers: NodeJS.Timeout[] = [];
  let beating: Promise<void> | undefined;
  let sweeping: Promise<number> | undefined;

  /** Releases every room a node held (at its last heartbeat, for watch time). Idempotent. */
  const releaseRooms = async (node: string, at: number) => {
    const rooms = await redis.smembers(keys.nodeRooms(node));
    for (const liveId of rooms) await presence.releaseNode(liveId, node, at);
    return rooms.length;
  };

  const lastBeatOf = (entry: string) => Number(/(\d+)$/.exec(entry)?.[1] ?? now());

  /** This node was swept (or is new): clear what is left of its presence and record its connections again. */
  const repair = async () => {
    const entry = (await redis.hget(keys.nodes, nodeId)) ?? '';
    const released = await releaseRooms(nodeId, lastBeatOf(entry));
    await redis.del(keys.nodeRooms(nodeId));
    noted.clear();
    let connections = 0;
    for (const c of deps.localConnections()) {
      await noteRoom(c.liveId);
      await presence.join(c.liveId, c.userId);
      connections++;
    }
    const ok = await scripts.run<number>(
      'node-repaired',
      [keys.nodes, keys.nodeSweep(nodeId)],
      [nodeId, now()],
    );
    if (released > 0 || connections > 0)
      log.warn({ nodeId, released, connections, listed: ok === 1 }, 'node presence repaired');
  };

  let booted = false;
  const beat = async () => {
    const res = await scripts.run<number>(
      'node-beat',
      [keys.nodes, keys.nodeSweep(nodeId)],
      [nodeId, now(), lockMs, booted ? 0 : 1],
    );
    if (res === 0) await repair();
    if (res !== -1) booted = true;
  };

  /** Sweeps every node that stopped heartbeating (or whose sweep was left unfinished); returns how many. */
  const sweep = async (): Promise<number> => {
    const entries = await redis.hgetall(keys.nodes);
    let swept = 0;
    for (const [node, entry] of Object.entries(entries)) {
      if (node === nodeId) continue;
      const beatAt = Number(entry);
      const stale = Number.isFinite(beatAt) ? now() - beatAt > deps.deadAfterMs : true;
      if (!stale) continue;
      const claimed = await scripts.run<number>(
        'node-claim',
        [keys.nodes, keys.nodeSweep(node)],
        [node, entry, nodeId, lockMs],
      );
      if (claimed !== 1) continue;
      const at = lastBeatOf(entry);
      const rooms = await releaseRooms(node, at);
      await scripts.run(
        'node-forget',
        [keys.nodes, keys.nodeSweep(node), keys.nodeRooms(node)],
        [node, nodeId],
      );
      log.warn({ node, rooms, lastBeat: new Date(at).toISOString(), by: nodeId }, 'swept a dead node');
      swept++;
    }
    return swept;
  };

  /** Records that this node holds connections in a room (once per room). */
  const noteRoom = async (liveId: string) => {
    if (noted.has(liveId)) return;
    await redis.sadd(keys.nodeRooms(nodeId), liveId);
    noted.add(liveId);
  };

  const guarded = (what: string, fn: () => Promise<unknown>) => () => {
    fn().catch((err) => log.warn({ err, nodeId }, `node ${what} failed`));
  };

  return {
    noteRoom,
    /** One heartbeat now (tests); `start` beats on its own. */
    beat: () => {
      beating ??= beat().finally(() => {
        beating = undefined;
      });
      return beating;
    },
    /** One sweep now (tests); `start` sweeps on its own. */
    sweep: () => {
      sweeping ??= sweep().finally(() => {
        sweeping = undefined;
      });
      return sweeping;
    },
    /** Beats now and every heartbeatMs, and looks for dead nodes every heartbeatMs / 2. */
    async start() {
      await beat();
      const b = setInterval(
        guarded('heartbeat', () => (beating ??= beat().finally(() => (beating = undefined)))),
        deps.heartbeatMs,
      );
      const s = setInterval(
        guarded('sweep', () => (sweeping ??= sweep().finally(() => (sweeping = undefined)))),
        Math.max(50, Math.floor(deps.heartbeatMs / 2)),
      );
      b.unref();
      s.unref();
      timers = [b, s];
    },
    /** Stops beating and sweeping (a test's stalled node; shutdown calls `leave`). */
    stop() {
      for (const t of timers) clearInterval(t);
      timers = [];
    },
    /** Graceful shutdown, after this node released its presence: unlist the node. */
    async leave() {
      this.stop();
      await Promise.allSettled([beating, sweeping]);
      await redis.multi().hdel(keys.nodes, nodeId).del(keys.nodeRooms(nodeId)).exec();
    },
  };
}
export type NodeRegistry = ReturnType<typeof createNodeRegistry>;
