/** The heavyweight viewer: a full socket.io-client instance (websocket transport, no reconnection). */

import type { Ack } from '@lc/contracts/events';
import { io } from 'socket.io-client';
import { ConnectError, type ConnectOptions, type RoomClient } from './room-connection';

export function connectSio(url: string, token: string, opts: ConnectOptions = {}): Promise<RoomClient> {
  const socket = io(url, {
    transports: ['websocket'],
    auth: { token },
    reconnection: false,
    forceNew: true,
    timeout: opts.timeoutMs ?? 10_000,
    ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
  });
  const client: RoomClient = {
    get connected() {
      return socket.connected;
    },
    async call<T>(event: string, payload: unknown, timeoutMs = 10_000) {
      return (await socket.timeout(timeoutMs).emitWithAck(event, payload)) as Ack<T>;
    },
    on(event, fn) {
      socket.off(event);
      socket.on(event, fn);
    },
    onClose(fn) {
      socket.once('disconnect', (reason) => fn(reason));
    },
    close() {
      socket.close();
    },
  };
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(client));
    socket.once('connect_error', (err: Error & { data?: unknown }) => {
      socket.close();
      reject(new ConnectError(err.message, err.data));
    });
  });
}
