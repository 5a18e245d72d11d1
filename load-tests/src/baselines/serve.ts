/**
 * Runs one baseline server in its own process so it can be pinned and measured apart from the generator:
 *   node --import tsx load-tests/src/baselines/serve.ts plain-socketio [--drop-every K] [--port N]
 *   node --import tsx load-tests/src/baselines/serve.ts hello [--port N]
 * Prints `READY <url>` once listening; exits on SIGTERM/SIGINT.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { startHelloHttp } from './hello-http';
import { startPlainSocketIo } from './plain-socketio';

const Args = z.object({
  kind: z.enum(['plain-socketio', 'hello']),
  port: z.coerce.number().int().min(0).max(65535).default(0),
  dropEvery: z.coerce.number().int().min(2).optional(),
});

async function main() {
  const { values, positionals } = parseArgs({
    options: { port: { type: 'string' }, 'drop-every': { type: 'string' } },
    allowPositionals: true,
  });
  const args = Args.parse({ kind: positionals[0], port: values.port, dropEvery: values['drop-every'] });
  const server =
    args.kind === 'hello'
      ? await startHelloHttp({ port: args.port })
      : await startPlainSocketIo({ port: args.port, dropEvery: args.dropEvery });
  process.stdout.write(`READY ${server.url}\n`);
  const stop = () => void server.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
