/** API + realtime node entry: config → buildApp → listen → graceful shutdown. */
import { buildApp } from './app';
import { loadConfig } from './config';
import { fatal, onShutdown } from './shutdown';
import { buildWorker } from './worker-app';

async function main() {
  const config = loadConfig();
  const built = await buildApp(config);
  // NOTE: PGlite has one owner, so without DATABASE_URL this process also runs the job worker.
  const worker = config.DATABASE_URL ? undefined : await buildWorker(config, built.app.log, built.infra);
  onShutdown(
    async () => {
      await worker?.close();
      await built.close();
    },
    { timeoutMs: config.SHUTDOWN_TIMEOUT_MS, log: built.app.log },
  );
  // NOTE: a join burst opens thousands of connections at once; Node's default accept backlog (511) overflows
  // and the kernel resets them. The kernel caps this at net.core.somaxconn.
  await built.app.listen({ host: config.HOST, port: config.PORT, backlog: 4096 });
  built.app.log.info(
    { publicUrl: config.PUBLIC_URL, nodeId: config.NODE_ID, worker: worker ? 'in-process' : 'separate' },
    'api node listening',
  );
}

main().catch(fatal);
