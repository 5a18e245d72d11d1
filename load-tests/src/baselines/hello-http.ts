/** Baseline for HTTP benchmarks: bare `node:http` answering "hello world" — the ceiling of one Node core here. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export function startHelloHttp(
  opts: { port?: number } = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const body = Buffer.from('hello world');
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
    res.end(body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
