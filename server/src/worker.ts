/** Job worker entry: config → buildWorker → graceful shutdown. */
import pino from 'pino';
import { loadConfig } from './config';
import { fatal, onShutdown } from './shutdown';
import { buildWorker } from './worker-app';

async function main() {
  const config = loadConfig();
  if (!config.DATABASE_URL) {
    throw new Error(
      'the job worker needs DATABASE_URL: with the embedded PGlite ledger (single-process) the API node runs the worker itself',
    );
  }
  const log = pino({
    level: config.LOG_LEVEL,
    base: { pid: process.pid, role: 'worker', nodeId: config.NODE_ID },
  });
  const worker = await buildWorker(config, log);
  onShutdown(() => worker.close(), { timeoutMs: config.SHUTDOWN_TIMEOUT_MS, log });
  log.info('worker running');
}

main().catch(fatal);
