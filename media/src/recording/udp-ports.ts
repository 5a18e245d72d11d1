/**
 * Even/odd UDP port pairs on loopback for ffmpeg's RTP + RTCP sockets, taken from a configured range. A pair is
 * tried by binding both ports and releasing them; ffmpeg binds them a moment later. NOTE: that leaves a small
 * window in which another process could take the port: the recorder then sees ffmpeg exit and starts a new run.
 */
import { createSocket } from 'node:dgram';

const tryBind = (port: number, host: string) =>
  new Promise<boolean>((resolve) => {
    const sock = createSocket('udp4');
    sock.once('error', () => {
      sock.close();
      resolve(false);
    });
    sock.bind(port, host, () => sock.close(() => resolve(true)));
  });

export function createUdpPortPairs(range: { min: number; max: number }, host = '127.0.0.1') {
  const first = range.min % 2 === 0 ? range.min : range.min + 1;
  const count = Math.floor((range.max - first + 1) / 2);
  if (count < 1) throw new Error(`the RTP port range ${range.min}-${range.max} holds no even/odd pair`);
  let cursor = 0;
  const taken = new Set<number>();
  return {
    /** A free pair (RTP port returned; RTCP is port + 1). @throws when the range is exhausted */
    async take(): Promise<number> {
      for (let i = 0; i < count; i++) {
        const port = first + 2 * ((cursor + i) % count);
        if (taken.has(port)) continue;
        if ((await tryBind(port, host)) && (await tryBind(port + 1, host))) {
          cursor = (cursor + i + 1) % count;
          taken.add(port);
          return port;
        }
      }
      throw new Error(`no free UDP port pair in ${range.min}-${range.max}`);
    },
    release(port: number): void {
      taken.delete(port);
    },
  };
}
export type UdpPortPairs = ReturnType<typeof createUdpPortPairs>;
