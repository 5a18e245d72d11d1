/**
 * The WebSocket server under Socket.IO (engine.io's documented `wsEngine` option): plain `ws`, except that a
 * connection closed for an oversized message (close code 1009, "message too big") carries the error code
 * MESSAGE_TOO_LARGE as its close reason, so a client can say why it was cut off. `ws` sends 1009 with no reason.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';

export const MESSAGE_TOO_BIG = 1009;

export class ReasonedWebSocketServer extends WebSocketServer {
  override handleUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    callback: (client: WebSocket, request: IncomingMessage) => void,
  ): void {
    super.handleUpgrade(request, socket, head, (ws, req) => {
      const close = ws.close.bind(ws);
      ws.close = (code?: number, reason?: string | Buffer) =>
        close(code, code === MESSAGE_TOO_BIG && !reason ? 'MESSAGE_TOO_LARGE' : reason);
      callback(ws, req);
    });
  }
}
