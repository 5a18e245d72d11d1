/** API + realtime node entry: config → buildApp → listen → graceful shutdown. */
import { buildApp } from './app';
import { loadConfig } from './config';
import { fatal, onShutdown } from './shutdown';

async function main() {
  const config = loadConfig();
  const built = await buildApp(config);
  onShutdown(() => built.close(), { timeoutMs: config.SHUTDOWN_TIMEOUT_MS, log: built.app.log });
  await built.app.listen({ host: config.HOST, port: config.PORT });
  built.app.log.info({ publicUrl: config.PUBLIC_URL, nodeId: config.NODE_ID }, 'api node listening');
}

main().catch(fatal);
