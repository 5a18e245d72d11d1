/**
 * What a simulated viewer (or host) needs from a connection, implemented twice: `wire` speaks the Socket.IO
 * wire protocol over a raw `ws` socket (light, for big swarms), `sio` is a full socket.io-client instance (what
 * the browser app runs). Scenarios take either (`--client wire|sio`).
 */
import type { Ack } from '../../../server/src/contracts/events';
import type { RoomEvent } from '../../../server/src/contracts/room.schema';

export type ClientKind = 'wire' | 'sio';
export const CLIENT_KINDS = ['wire', 'sio'] as const;

export interface RoomFrame {
  liveId: string;
  events: RoomEvent[];
}

export interface RoomClient {
  readonly connected: boolean;
  /** Emits a command and resolves with its ack; rejects on timeout or disconnect. */
  call<T = unknown>(event: string, payload: unknown, timeoutMs?: number): Promise<Ack<T>>;
  /** One listener per event name (the swarm never needs more); `room:events` frames, `room:presence`, … */
  on(event: string, fn: (data: unknown) => void): void;
  /** Called once when the connection ends, for whatever reason. */
  onClose(fn: (reason: string) => void): void;
  close(): void;
}

export interface ConnectOptions {
  /** Handshake + Socket.IO CONNECT timeout (default 10 s). */
  timeoutMs?: number;
  /** Source address on the loopback (127.0.0.x) — spreads sockets over more ephemeral ports. */
  localAddress?: string;
}

/** A handshake refused by the server (`connect_error`), with the server's error body when it sent one. */
export class ConnectError extends Error {
  constructor(
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'ConnectError';
  }
}

export async function connectClient(
  kind: ClientKind,
  url: string,
  token: string,
  opts: ConnectOptions = {},
): Promise<RoomClient> {
  if (kind === 'wire') return (await import('./wire-client')).connectWire(url, token, opts);
  return (await import('./sio-client')).connectSio(url, token, opts);
}
