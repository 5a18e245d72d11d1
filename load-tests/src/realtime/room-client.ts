/**
 * What a simulated viewer (or host) needs from a connection, implemented twice: `wire` speaks the Socket.IO
 * wire protocol over a raw `ws` socket (light, for big swarms), `sio` is a full socket.io-client instance (what
 * the browser app runs). Scenarios take either (`--client wire|sio`).
 */
import type { ConnectOptions, RoomClient } from './room-connection';

export { ConnectError, type ConnectOptions, type RoomClient, type RoomFrame } from './room-connection';

export type ClientKind = 'wire' | 'sio';
export const CLIENT_KINDS = ['wire', 'sio'] as const;

export async function connectClient(
  kind: ClientKind,
  url: string,
  token: string,
  opts: ConnectOptions = {},
): Promise<RoomClient> {
  if (kind === 'wire') return (await import('./wire-client')).connectWire(url, token, opts);
  return (await import('./sio-client')).connectSio(url, token, opts);
}
