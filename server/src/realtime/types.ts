/** Socket.IO types shared by the realtime layer and feature socket modules. */

import type { TokenClaims } from '@lc/contracts/auth.schema';
import type { ClientToServerEvents, ServerToClientEvents } from '@lc/contracts/events';
import type { Role } from '@lc/contracts/ids';
import type { Server, Socket } from 'socket.io';

export interface SocketData {
  user: TokenClaims;
  /** Rooms this socket joined → its role there (resolved once at join). */
  joined: Map<string, { role: Role }>;
}
export type AppServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export const roomName = (liveId: string) => `live:${liveId}`;
/** Every socket of a user joins this room at connection: cross-node emits to a person (all their tabs). */
export const userRoom = (userId: string) => `user:${userId}`;
/** Sockets whose token carries a device id join this room (bans reach every identity of a device). */
export const deviceRoom = (deviceId: string) => `device:${deviceId}`;
/** Host and moderators of a live (held comments and other staff-only facts). */
export const staffRoom = (liveId: string) => `staff:${liveId}`;
