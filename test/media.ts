/**
 * Media test kit: a server with mediasoup workers on its own RTC port range, a live with a joined host and
 * viewers (real Socket.IO clients), and typed `sfu:*` calls that throw on an error ack.
 */

import type { Ack } from '@lc/contracts/events';
import type { BuildOptions } from '../server/src/app';
import {
  call,
  connect,
  guest,
  hostWithLive,
  http,
  registerHost,
  startServer,
  type TestClient,
  type TestServer,
} from './server';

/** Each media test file gets its own port range so parallel files never compete for ports. */
export function startMediaServer(
  ports: [number, number],
  env: Record<string, string> = {},
  build?: BuildOptions,
): Promise<TestServer> {
  return startServer({
    build,
    env: {
      MEDIA_ENABLED: 'true',
      MEDIA_WORKERS: '2',
      MEDIA_RTC_MIN_PORT: String(ports[0]),
      MEDIA_RTC_MAX_PORT: String(ports[1]),
      ...env,
    },
  });
}

export async function ok<T>(p: Promise<Ack<T>>): Promise<T> {
  const res = await p;
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
  return res.data;
}

/** Joins a live room; resolves once the join ack arrived. */
export async function joined(s: TestServer, token: string, liveId: string): Promise<TestClient> {
  const socket = await connect(s, token);
  await ok(call(socket, 'live:join', { liveId }));
  return socket;
}

/** A started live with its host's socket and `viewers` guest sockets, all joined. */
export async function liveRoom(s: TestServer, viewers = 1) {
  const { host, liveId } = await hostWithLive(s);
  const hostSocket = await joined(s, host.token, liveId);
  const viewerSockets = await Promise.all(
    Array.from({ length: viewers }, async (_, i) => joined(s, (await guest(s, `viewer ${i}`)).token, liveId)),
  );
  return {
    liveId,
    host,
    hostSocket,
    viewers: viewerSockets,
    close() {
      for (const sock of [hostSocket, ...viewerSockets]) sock.close();
    },
  };
}

/** A live that is created but not started, with its host. */
export async function scheduledLive(s: TestServer) {
  const host = await registerHost(s);
  const created = await http<{ id: string }>(s, 'POST', '/api/lives', { title: 'Later' }, host.token);
  return { host, liveId: created.body.id };
}

/** Opus RTP parameters as a publisher with a fixed SSRC would send them. */
export const opusRtpParameters = (ssrc = 0x1234_5678) => ({
  codecs: [
    {
      mimeType: 'audio/opus',
      payloadType: 100,
      clockRate: 48000,
      channels: 2,
      parameters: { useinbandfec: 1 },
      rtcpFeedback: [],
    },
  ],
  headerExtensions: [],
  encodings: [{ ssrc }],
  rtcp: { cname: 'test-publisher', reducedSize: true, mux: true },
});

/** A syntactically valid DTLS parameter set (sha-256, 32 bytes). */
export const dtlsParameters = () => ({
  role: 'client' as const,
  fingerprints: [
    {
      algorithm: 'sha-256' as const,
      value: Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(
        ':',
      ),
    },
  ],
});
