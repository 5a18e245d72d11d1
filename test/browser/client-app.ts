/**
 * The setup every browser test shares: the client built into its own temporary directory (so parallel test files
 * never race one build), a real node serving it, Chromium, and optionally the job worker in-process (PGlite has one
 * owner, so it shares the node's infrastructure).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { expect } from 'vitest';
import type { BuildOptions } from '../../server/src/app';
import { loadConfig } from '../../server/src/config';
import { freePort } from '../../server/src/redis/free-port';
import { buildWorker } from '../../server/src/worker-app';
import { startServer, type TestServer } from '../server';
import { ARTIFACTS, launchChromium } from './chromium';

export interface ClientApp {
  s: TestServer;
  browser: Browser;
  close(): Promise<void>;
}

export async function startClientApp(
  opts: {
    /** Names the temporary build directory. */
    name?: string;
    /** Run the end-of-live job worker in this process (reports, prizes). */
    worker?: boolean;
    /** Starts the node instead of the default `startServer` (e.g. with media on). */
    start?: (env: Record<string, string>, build: BuildOptions) => Promise<TestServer>;
  } = {},
): Promise<ClientApp> {
  const clientDir = mkdtempSync(join(tmpdir(), `lc-${opts.name ?? 'client'}-`));
  let s: TestServer | undefined;
  let worker: Awaited<ReturnType<typeof buildWorker>> | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await worker?.close();
    await s?.close();
    rmSync(clientDir, { recursive: true, force: true });
  };
  try {
    await build({
      configFile: join(process.cwd(), 'client/vite.config.ts'),
      logLevel: 'silent',
      build: { outDir: clientDir, emptyOutDir: true },
    });
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const env = { PORT: String(port), ALLOWED_ORIGINS: origin, PUBLIC_URL: origin, SERVE_CLIENT: 'true' };
    s = opts.start ? await opts.start(env, { clientDir }) : await startServer({ env, build: { clientDir } });
    if (opts.worker) worker = await buildWorker(loadConfig(s.env), pino({ level: 'silent' }), s.built.infra);
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
    return { s, browser, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** A phone-sized viewer page signed in as a guest and joined to the live (waits until it shows `live`). */
export async function viewerPage(app: ClientApp, liveId: string, name: string): Promise<Page> {
  const ctx = await app.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
  const page = await ctx.newPage();
  await page.goto(`${app.s.url}/?live=${liveId}`);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Watch' }).click();
  // NOTE: patient on a shared 2-core box; still fails when the page never gets there.
  await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toBe('live');
  return page;
}
