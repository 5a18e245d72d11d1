/**
 * The media rooms of this node, one per live, and the peers (one per socket) in them: the registry the SFU
 * signaling runs on. Adapts media/ (MediaRoom, WorkerPool) to the app — live status, AppError codes — and knows
 * nothing of Socket.IO: facts for clients leave through `events`, addressed by live and peer id.
 *
 * Lifecycle of a room: created lazily by the first peer's request while the live is `live`; closed when the live
 * ends (`closeLive`), when its last peer leaves, or by its worker dying — then every peer is told to reconnect and
 * the room is rebuilt (on a live worker) by the first request that follows.
 */
import { EventEmitter, once } from 'node:events';
import { AppError } from '@lc/contracts/errors';
import type { MediaKind, SfuReconnectReason } from '@lc/contracts/sfu.schema';
import { MediaRoom } from '../../../../media/src/media-room';
import type { WorkerPool } from '../../../../media/src/worker-pool';
import type { LivesService } from '../lives/lives.service';

export interface SfuEvents {
  /** A producer was created in a live's room: every joined socket of that live may consume it. */
  producerNew: [{ liveId: string; producerId: string; kind: MediaKind }];
  /** A peer's consumer closed because its producer went away. */
  producerClosed: [{ liveId: string; peerId: string; producerId: string; consumerId: string }];
  /** These peers must re-establish their media from scratch. */
  reconnect: [{ liveId: string; peerIds: string[]; reason: SfuReconnectReason }];
}

type Log = {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
};

interface RoomEntry {
  liveId: string;
  room: Promise<MediaRoom>;
  /** Peers (socket ids) using this room; the room closes when the last one leaves. */
  peers: Set<string>;
}

const WORKER_WAIT_MS = 10_000;

export function createMediaRooms(deps: {
  pool: WorkerPool;
  lives: Pick<LivesService, 'get'>;
  log: Log;
  /** How long a request waits for a replacement worker when none is running. */
  workerWaitMs?: number;
}) {
  const { pool, log } = deps;
  const events = new EventEmitter<SfuEvents>();
  const rooms = new Map<string, RoomEntry>();
  let closed = false;

  const awaitWorker = async (): Promise<void> => {
    if (closed || pool.closed) throw new AppError('UNAVAILABLE', 'media is shutting down on this node');
    if (pool.workers.some((w) => !w.closed)) return;
    try {
      await once(pool, 'workeradded', { signal: AbortSignal.timeout(deps.workerWaitMs ?? WORKER_WAIT_MS) });
    } catch {
      throw new AppError('UNAVAILABLE', 'no media worker is running on this node');
    }
  };

  const createRoom = async (entry: RoomEntry): Promise<MediaRoom> => {
    await awaitWorker();
    const room = await MediaRoom.create({ pool, liveId: entry.liveId });
    const { liveId } = entry;
    room.on('newproducer', ({ producerId, kind }) =>
      events.emit('producerNew', { liveId, producerId, kind }),
    );
    room.on('consumerclosed', ({ peerId, consumerId, producerId }) =>
      events.emit('producerClosed', { liveId, peerId, producerId, consumerId }),
    );
    room.on('transportclosed', ({ peerId }) => {
      // A worker died under this peer's transport. NOTE: mediasoup closes a dead worker's transports just before
      // its routers; if the origin was among them the whole room closes in the same tick and 'closed' tells
      // every peer — so decide on the next turn, and only for a room that is still open (a piped router died).
      setImmediate(() => {
        if (room.closed || !entry.peers.has(peerId)) return;
        room.closePeer(peerId);
        events.emit('reconnect', { liveId, peerIds: [peerId], reason: 'transport-closed' });
      });
    });
    room.once('closed', ({ reason }) => {
      // NOTE: rooms we close ourselves are unlisted first; still listed means the worker under it died.
      if (rooms.get(liveId) !== entry) return;
      rooms.delete(liveId);
      log.warn({ liveId, reason, peers: entry.peers.size }, 'media room lost; peers told to reconnect');
      events.emit('reconnect', { liveId, peerIds: [...entry.peers], reason: 'worker-died' });
    });
    if (rooms.get(liveId) !== entry) {
      room.close('closed while opening');
      throw new AppError('MEDIA_NOT_AVAILABLE', 'the media room closed');
    }
    return room;
  };

  /** The live's room, created on first use while the live is `live`; registers the peer in it first. */
  const acquire = async (liveId: string, peerId: string): Promise<MediaRoom> => {
    let entry = rooms.get(liveId);
    if (!entry) {
      const live = await deps.lives.get(liveId);
      if (live.status !== 'live') {
        throw new AppError(
          'MEDIA_NOT_AVAILABLE',
          `media is available while the live is live (it is ${live.status})`,
        );
      }
      if (closed) throw new AppError('UNAVAILABLE', 'media is shutting down on this node');
      entry = rooms.get(liveId);
      if (!entry) {
        const created = { liveId, peers: new Set() } as Partial<RoomEntry> as RoomEntry;
        created.room = createRoom(created);
        created.room.catch(() => {
          if (rooms.get(liveId) === created) rooms.delete(liveId);
        });
        rooms.set(liveId, created);
        entry = created;
      }
    }
    // NOTE: registered before awaiting, so a peer leaving meanwhile does not close the room under this one.
    entry.peers.add(peerId);
    return entry.room.catch((err: unknown) => {
      entry.peers.delete(peerId);
      throw err;
    });
  };

  /** An existing room this peer uses. @throws MEDIA_NOT_AVAILABLE */
  const existing = async (liveId: string, peerId: string): Promise<MediaRoom> => {
    const entry = rooms.get(liveId);
    if (!entry?.peers.has(peerId)) {
      throw new AppError('MEDIA_NOT_AVAILABLE', 'no media session in this live: start with sfu:capabilities');
    }
    return entry.room;
  };

  const closeEntry = (entry: RoomEntry, reason: string) => {
    if (rooms.get(entry.liveId) === entry) rooms.delete(entry.liveId);
    entry.room.then(
      (room) => room.close(reason),
      () => {},
    );
  };

  return {
    events,
    /** The live's room, opened on first use while the live is `live`; registers the peer in it first. */
    acquire,
    /** An existing room this peer uses. @throws MEDIA_NOT_AVAILABLE */
    existing,
    /** The peer leaves the live's media (sfu:close, live:leave, disconnect); the last one out closes the room. */
    leave(liveId: string, peerId: string): boolean {
      const entry = rooms.get(liveId);
      if (!entry?.peers.delete(peerId)) return false;
      if (entry.peers.size === 0) closeEntry(entry, 'last peer left');
      else
        entry.room.then(
          (room) => room.closePeer(peerId),
          () => {},
        );
      return true;
    },

    /** The live ended: close its room (idempotent; clients learn the end from the room log). */
    closeLive(liveId: string, reason = 'live ended'): void {
      const entry = rooms.get(liveId);
      if (entry) closeEntry(entry, reason);
    },

    /** The MediaRoom of a live, if open (tests and diagnostics). */
    async room(liveId: string): Promise<MediaRoom | undefined> {
      return rooms.get(liveId)?.room.catch(() => undefined);
    },

    /** Open rooms, peers and producers on this node. */
    async stats(): Promise<{ rooms: number; peers: number; producers: number }> {
      const open = await Promise.all([...rooms.values()].map((e) => e.room.catch(() => undefined)));
      let peers = 0;
      for (const e of rooms.values()) peers += e.peers.size;
      const producers = open.reduce((n, r) => n + (r && !r.closed ? r.stats().producers : 0), 0);
      return { rooms: rooms.size, peers, producers };
    },

    /** Shutdown: closes every room (the pool is closed by its owner). Idempotent. */
    close(): void {
      closed = true;
      for (const entry of [...rooms.values()]) closeEntry(entry, 'node shutting down');
    },
  };
}
export type MediaRooms = ReturnType<typeof createMediaRooms>;
