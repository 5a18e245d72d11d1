/**
 * A Socket.IO v4 client in one `ws` socket and a few fields: the Engine.IO v4 and Socket.IO v5 wire protocol,
 * only what the swarm needs (default namespace, text packets, no polling, no reconnection).
 *
 *   server → `0{"sid",…,"pingInterval"}`   open          client → `40{"token":…}`  CONNECT with auth
 *   server → `40{"sid"}` | `44{"message"}` connected / refused
 *   client → `42<id>["event",payload]`     command with ack id;  server → `43<id>[result]`  ack
 *   server → `42["event",data]`            fact (room:events, room:presence, …)
 *   server → `2`  ping;  client → `3`  pong   (Engine.IO v4: the server pings)
 */

import type { Ack } from '@lc/contracts/events';
import WebSocket from 'ws';
import { ConnectError, type ConnectOptions, type RoomClient } from './room-connection';

const C_0 = 48;
const C_1 = 49;
const C_2 = 50;
const C_3 = 51;
const C_4 = 52;
const C_9 = 57;

/**
 * Decoded event packets, shared by every client of this process: a room frame reaches all viewers as the same
 * bytes, so the swarm parses it once, not once per viewer (the generator's core is the scarce one). Clients
 * only read what they get. Bounded; the oldest entry goes first.
 */
const decoded = new Map<string, [string, unknown]>();
const DECODED_MAX = 512;
function decodeEvent(body: string): [string, unknown] {
  let v = decoded.get(body);
  if (!v) {
    v = JSON.parse(body) as [string, unknown];
    if (decoded.size >= DECODED_MAX) decoded.delete(decoded.keys().next().value!);
    decoded.set(body, v);
  }
  return v;
}

class WireClient implements RoomClient {
  connected = false;
  private nextId = 0;
  private acks: Map<number, (res: unknown) => void> | undefined;
  private listeners: Record<string, (data: unknown) => void> | undefined;
  private closeFn: ((reason: string) => void) | undefined;
  private ended = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly token: string,
    private readonly ready: { resolve(): void; reject(err: Error): void },
  ) {
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.onPacket(data.toString());
    });
    ws.on('close', () => this.end('transport close'));
    ws.on('error', (err) => {
      this.ready.reject(new ConnectError(`websocket error: ${err.message}`));
      this.end(`transport error: ${err.message}`);
    });
  }

  private onPacket(s: string): void {
    const t = s.charCodeAt(0);
    if (t === C_4) {
      const p = s.charCodeAt(1);
      if (p === C_2) {
        let i = 2;
        while (s.charCodeAt(i) >= C_0 && s.charCodeAt(i) <= C_9) i++;
        const arr = decodeEvent(i === 2 ? s.slice(2) : s.slice(i));
        this.listeners?.[arr[0]]?.(arr[1]);
      } else if (p === C_3) {
        let i = 2;
        while (s.charCodeAt(i) >= C_0 && s.charCodeAt(i) <= C_9) i++;
        const id = Number(s.slice(2, i));
        const cb = this.acks?.get(id);
        if (cb) {
          this.acks!.delete(id);
          cb((JSON.parse(s.slice(i)) as unknown[])[0]);
        }
      } else if (p === C_0) {
        this.connected = true;
        this.ready.resolve();
      } else if (p === C_4) {
        const body = JSON.parse(s.slice(2)) as { message?: string; data?: unknown };
        this.ready.reject(new ConnectError(body.message ?? 'connect_error', body.data));
        this.ws.close();
      } else if (p === C_1) {
        this.ws.close();
      }
    } else if (t === C_2) {
      this.ws.send('3');
    } else if (t === C_0) {
      this.ws.send(`40${JSON.stringify({ token: this.token })}`);
    } else if (t === C_1) {
      this.ws.close();
    }
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.connected = false;
    this.ready.reject(new ConnectError(`closed before connecting: ${reason}`));
    const pending = this.acks;
    this.acks = undefined;
    for (const cb of pending?.values() ?? []) cb(DISCONNECTED);
    this.closeFn?.(reason);
  }

  call<T>(event: string, payload: unknown, timeoutMs = 10_000): Promise<Ack<T>> {
    if (!this.connected) return Promise.reject(new Error(`${event}: not connected`));
    const id = this.nextId++;
    this.acks ??= new Map();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.acks?.delete(id);
        reject(new Error(`${event}: no ack within ${timeoutMs} ms`));
      }, timeoutMs);
      this.acks!.set(id, (res) => {
        clearTimeout(timer);
        if (res === DISCONNECTED) reject(new Error(`${event}: disconnected before the ack`));
        else resolve(res as Ack<T>);
      });
      this.ws.send(`42${id}${JSON.stringify([event, payload])}`);
    });
  }

  on(event: string, fn: (data: unknown) => void): void {
    this.listeners ??= {};
    this.listeners[event] = fn;
  }

  onClose(fn: (reason: string) => void): void {
    this.closeFn = fn;
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send('41');
    this.ws.close();
  }
}

const DISCONNECTED = Symbol('disconnected');

export function connectWire(url: string, token: string, opts: ConnectOptions = {}): Promise<RoomClient> {
  const wsUrl = `${url.replace(/^http/, 'ws').replace(/\/$/, '')}/socket.io/?EIO=4&transport=websocket`;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    let settled = false;
    const ws = new WebSocket(wsUrl, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
      handshakeTimeout: timeoutMs,
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    });
    const timer = setTimeout(() => {
      ready.reject(new ConnectError(`no Socket.IO CONNECT within ${timeoutMs} ms`));
      ws.terminate();
    }, timeoutMs);
    const ready = {
      resolve: () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(client);
      },
      reject: (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err);
      },
    };
    const client = new WireClient(ws, token, ready);
  });
}
