/**
 * The realtime port features use to reach people rather than rooms, on every node (through the Redis adapter):
 * emit to all sockets of a user, expel a user (and their device) from the server, keep a live's staff room
 * (host + moderators) in step with appointments. Services take this interface, never Socket.IO itself.
 */
import type { ServerToClientEvents } from '@lc/contracts/events';
import { type AppServer, deviceRoom, staffRoom, userRoom } from './types';

export interface RoomActions {
  toUser<E extends keyof ServerToClientEvents>(
    userId: string,
    event: E,
    ...args: Parameters<ServerToClientEvents[E]>
  ): void;
  toStaff<E extends keyof ServerToClientEvents>(
    liveId: string,
    event: E,
    ...args: Parameters<ServerToClientEvents[E]>
  ): void;
  /**
   * Tells every socket of the user (and of the device, when known) why, then disconnects them on every node.
   * NOTE: disconnects the whole socket, so other rooms on the same connection are left too.
   */
  expel(liveId: string, target: { userId: string; deviceId?: string | null }, code: string): void;
  /** The user's sockets (all nodes) join / leave the live's staff room. */
  setStaff(userId: string, liveId: string, staff: boolean): void;
}

export function createRoomActions(io: () => AppServer): RoomActions {
  return {
    toUser(userId, event, ...args) {
      (io().to(userRoom(userId)).emit as (e: string, ...a: unknown[]) => void)(event, ...args);
    },
    toStaff(liveId, event, ...args) {
      (io().to(staffRoom(liveId)).emit as (e: string, ...a: unknown[]) => void)(event, ...args);
    },
    expel(liveId, target, code) {
      const rooms = [userRoom(target.userId), ...(target.deviceId ? [deviceRoom(target.deviceId)] : [])];
      // NOTE: one publisher connection: the adapter delivers the emit before the disconnect request.
      io().to(rooms).emit('room:closed', { liveId, code });
      io().in(rooms).disconnectSockets(true);
    },
    setStaff(userId, liveId, staff) {
      if (staff) io().in(userRoom(userId)).socketsJoin(staffRoom(liveId));
      else io().in(userRoom(userId)).socketsLeave(staffRoom(liveId));
    },
  };
}
