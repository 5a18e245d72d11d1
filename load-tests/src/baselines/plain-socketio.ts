/**
 * Baseline for the fan-out benchmark: a plain Socket.IO server that emits each message to the room as it
 * arrives — one emit per message, no coalescing, no Redis, no auth. It speaks just enough of the project's
 * contract (`live:join`, `comment:send`, `live:announce`, `room:events` carrying `seq`) for the same swarm and the same
 * verdicts to run against it. `dropEvery` makes it skip the broadcast of every k-th message: a deliberately
 * broken server, used to prove the no-gap verdict can fail.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RoomEvent } from '@lc/contracts/room.schema';
import { Server } from 'socket.io';

export interface PlainServer {
  url: string;
  close(): Promise<void>;
}

export function startPlainSocketIo(opts: { port?: number; dropEvery?: number } = {}): Promise<PlainServer> {
  const http = createServer();
  const io = new Server(http, { serveClient: false, maxHttpBufferSize: 64 * 1024 });
  const seqs = new Map<string, number>();
  const liveIdOf = (p: unknown) =>
    typeof p === 'object' && p !== null && typeof (p as { liveId?: unknown }).liveId === 'string'
      ? (p as { liveId: string }).liveId
      : undefined;

  io.on('connection', (socket) => {
    socket.on('live:join', (p: unknown, ack?: (r: unknown) => void) => {
      const liveId = liveIdOf(p);
      if (!liveId) return ack?.({ ok: false, error: { code: 'VALIDATION', message: 'liveId required' } });
      void socket.join(liveId);
      ack?.({
        ok: true,
        data: { mode: 'snapshot', reason: 'first-join', snapshot: { seq: seqs.get(liveId) ?? 0 } },
      });
    });
    // A message, as an announcement (host) or a comment (viewer): one emit to the room, as it arrives.
    const publish = (type: string) => (p: unknown, ack?: (r: unknown) => void) => {
      const liveId = liveIdOf(p);
      const text = (p as { text?: unknown } | undefined)?.text;
      if (!liveId || typeof text !== 'string') {
        return ack?.({ ok: false, error: { code: 'VALIDATION', message: 'liveId and text required' } });
      }
      const seq = (seqs.get(liveId) ?? 0) + 1;
      seqs.set(liveId, seq);
      const at = Date.now();
      const event: RoomEvent = { seq, type, at, data: { id: `c_${seq}`, text, at } };
      if (!opts.dropEvery || seq % opts.dropEvery !== 0) {
        io.to(liveId).emit('room:events', { liveId, events: [event] });
      }
      ack?.({ ok: true, data: { seq } });
    };
    socket.on('live:announce', publish('live:announcement'));
    socket.on('comment:send', publish('comment:new'));
  });

  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 0, '127.0.0.1', () => {
      const { port } = http.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((r) => {
            io.disconnectSockets(true);
            io.close(() => r());
          }),
      });
    });
  });
}
