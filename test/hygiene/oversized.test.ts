/**
 * A socket message over SOCKET_MAX_MESSAGE_BYTES: the server cuts the connection off and says why where the
 * transport allows it — WebSocket close 1009 with the reason MESSAGE_TOO_LARGE, HTTP 413 on long-polling — and a
 * message under the limit is handled as usual.
 */
import { io as ioClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutOffForSize } from '../../client/src/live-client';
import { call, hostWithLive, startServer, type TestClient, type TestServer } from '../server';

describe('oversized socket messages', () => {
  let s: TestServer;
  let liveId: string;
  let token: string;
  beforeAll(async () => {
    s = await startServer({ env: { SOCKET_MAX_MESSAGE_BYTES: '4096' } });
    ({
      liveId,
      host: { token },
    } = await hostWithLive(s));
  });
  afterAll(() => s?.close());

  const open = (transport: 'websocket' | 'polling') =>
    new Promise<TestClient>((resolve, reject) => {
      const socket: TestClient = ioClient(s.url, {
        transports: [transport],
        auth: { token },
        reconnection: false,
        forceNew: true,
      });
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  const cutOff = (socket: TestClient) =>
    new Promise<{ reason: string; details: unknown }>((resolve) =>
      socket.once('disconnect', (reason, details) => resolve({ reason, details })),
    );

  it.each(['websocket', 'polling'] as const)(
    'answers a message under the limit over %s',
    async (transport) => {
      const socket = await open(transport);
      const res = await call(socket, 'live:announce', { liveId, text: '好'.repeat(500) });
      expect(res.ok).toBe(true);
      socket.close();
    },
  );

  it('closes a WebSocket with 1009 and the reason MESSAGE_TOO_LARGE', async () => {
    const socket = await open('websocket');
    const gone = cutOff(socket);
    socket.emit('live:announce', { liveId, text: 'x'.repeat(5000) } as never);
    const { reason, details } = await gone;
    expect(reason).toBe('transport close');
    expect(details).toMatchObject({ context: { code: 1009, reason: 'MESSAGE_TOO_LARGE' } });
    expect(cutOffForSize(details)).toBe(true);
  });

  it('answers 413 to an oversized long-polling message', async () => {
    const socket = await open('polling');
    const gone = cutOff(socket);
    socket.emit('live:announce', { liveId, text: 'x'.repeat(5000) } as never);
    const { reason, details } = await gone;
    expect(reason).toBe('transport error');
    expect(details).toMatchObject({ description: 413 });
    expect(cutOffForSize(details)).toBe(true);
  });

  it('does not take an ordinary disconnect for a size cut-off', async () => {
    const socket = await open('websocket');
    const gone = cutOff(socket);
    s.built.io.local.disconnectSockets(true);
    const { details } = await gone;
    expect(cutOffForSize(details)).toBe(false);
  });
});
