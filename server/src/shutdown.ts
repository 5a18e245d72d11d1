/** Graceful shutdown for entry points: first signal closes in order under a watchdog; a second forces exit. */
export function onShutdown(
  close: () => Promise<void>,
  opts: { timeoutMs: number; log: { info(o: object, m?: string): void; error(o: object, m?: string): void } },
) {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      opts.log.error({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    opts.log.info({ signal }, 'shutting down');
    const watchdog = setTimeout(() => {
      opts.log.error({ timeoutMs: opts.timeoutMs }, 'shutdown watchdog fired: exiting');
      process.exit(1);
    }, opts.timeoutMs);
    watchdog.unref();
    close().then(
      () => process.exit(0),
      (err) => {
        opts.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, handler);
}

/** Prints a config/boot error without a stack (it names the bad value) and exits. */
export function fatal(err: unknown): never {
  const msg =
    err instanceof Error
      ? err.name === 'ConfigError'
        ? err.message
        : (err.stack ?? err.message)
      : String(err);
  console.error(`fatal: ${msg}`);
  process.exit(1);
}
