/**
 * The reverse proxy in front of the API nodes during `chaos api-node`, as deploy/nginx.conf does it: each client
 * connection goes to one upstream, chosen by the client (sticky, so a Socket.IO session stays on its node), and
 * a connection to an upstream that refuses (a dead node) is passed on to the next one (nginx's
 * `proxy_next_upstream error`). Plain TCP piping: HTTP and WebSocket pass through unchanged.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface FailoverProxy {
  url: string;
  /** Connections each upstream accepted, by index. */
  accepted: number[];
  /** Client connections open now through each upstream, by index. */
  current: number[];
  close(): Promise<void>;
}

function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.removeListener('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/**
 * `pick(n)` names the preferred upstream of the proxy's n-th client connection: the scenario spreads its clients
 * over the nodes with it, as ip_hash spreads users by address.
 */
export async function startFailoverProxy(
  upstreamUrls: string[],
  pick: (n: number) => number,
): Promise<FailoverProxy> {
  const ports = upstreamUrls.map((u) => Number(new URL(u).port));
  const accepted = ports.map(() => 0);
  const current = ports.map(() => 0);
  const open = new Set<Socket>();
  let n = 0;
  const server = createServer((client) => {
    open.add(client);
    client.once('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    void (async () => {
      const first = pick(n++) % ports.length;
      for (let k = 0; k < ports.length; k++) {
        const i = (first + k) % ports.length;
        const up = await dial(ports[i]!).catch(() => undefined);
        if (!up) continue;
        accepted[i]!++;
        current[i]!++;
        open.add(up);
        up.once('close', () => {
          current[i]!--;
          open.delete(up);
          client.destroy();
        });
        up.on('error', () => up.destroy());
        client.once('close', () => up.destroy());
        client.pipe(up);
        up.pipe(client);
        client.resume();
        return;
      }
      client.destroy();
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    accepted,
    current,
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
