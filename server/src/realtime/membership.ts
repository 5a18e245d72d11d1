/**
 * Which sockets are in which room, on this node: joins/leaves update presence in Redis and start/stop the
 * room tail. Disconnect leaves every room; shutdown releases this node's presence.
 */
import type { Role } from '@lc/contracts/ids';
import type { PresenceStore } from './presence';
import type { RoomTail } from './room-tail';
import { type AppServer, type AppSocket, roomName } from './types';

export function createMembership(deps: {
  io: () => AppServer;
  presence: PresenceStore;
  tail: RoomTail;
  nodeId: string;
  /** Called once per (socket, live) when the socket leaves the room or disconnects (e.g. media cleanup). */
  onLeave?: (socket: AppSocket, liveId: string) => void;
  /** Called before a connection is recorded in a room (the node registry lists the room once per room). */
  beforeJoin?: (liveId: string) => Promise<void>;
}) {
  /** Rooms this node ever held a connection in, for releaseNode. */
  const served = new Set<string>();
  const inflight = new Set<Promise<unknown>>();
  const localCount = (liveId: string) => deps.io().of('/').adapter.rooms.get(roomName(liveId))?.size ?? 0;

  const leave = async (socket: AppSocket, liveId: string): Promise<boolean> => {
    if (!socket.data.joined?.delete(liveId)) return false;
    deps.onLeave?.(socket, liveId);
    socket.leave(roomName(liveId));
    if (localCount(liveId) === 0) deps.tail.untrack(liveId);
    await deps.presence.leave(liveId, socket.data.user.sub);
    return true;
  };

  return {
    /**
     * Joins the socket.io room and starts the tail BEFORE the caller reads the log, so every event after the
     * snapshot/replay point reaches the socket (the client drops seq it already has).
     */
    async join(socket: AppSocket, liveId: string, role: Role): Promise<void> {
      const already = socket.data.joined.has(liveId);
      socket.data.joined.set(liveId, { role });
      if (already) return;
      socket.join(roomName(liveId));
      served.add(liveId);
      await deps.beforeJoin?.(liveId);
      await deps.tail.track(liveId);
      await deps.presence.join(liveId, socket.data.user.sub);
    },
    leave,
    async leaveAll(socket: AppSocket): Promise<void> {
      const p = Promise.all([...(socket.data.joined?.keys() ?? [])].map((id) => leave(socket, id)));
      inflight.add(p);
      try {
        await p;
      } finally {
        inflight.delete(p);
      }
    },
    /** Graceful shutdown: after pending leaves, remove what this node still holds from every room's presence. */
    async releaseNode(): Promise<void> {
      await Promise.allSettled([...inflight]);
      await Promise.all([...served].map((id) => deps.presence.releaseNode(id, deps.nodeId)));
    },
  };
}
export type Membership = ReturnType<typeof createMembership>;
