/**
 * The connection a simulated viewer (or host) uses, whichever client implements it (`wire` or `sio`): a leaf
 * module, so the implementations and the factory in room-client.ts never import each other.
 */
import type { Ack } from '@lc/contracts/events';
import type { RoomEvent } from '@lc/contracts/room.schema';

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
