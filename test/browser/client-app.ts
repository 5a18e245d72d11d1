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

/**
 * Names the page's guest: the entry page signs a first visit in under a generated name; this saves `name` in
 * its name form instead (a new guest session), so later pages of this browser context watch as `name`.
 */
export async function nameGuest(page: Page, origin: string, name: string): Promise<void> {
  await page.goto(`${origin}/`);
  const field = page.getByLabel('Your name');
  // NOTE: the generated name fills the field once the first session exists.
  await expect.poll(() => field.inputValue(), { timeout: 10_000 }).not.toBe('');
  await field.fill(name);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect
    .poll(() => page.locator('#guest-form').getAttribute('data-name'), { timeout: 10_000 })
    .toBe(name);
}

/** Opens the live on `page` and waits until the room shows it `live`. */
export async function openLive(page: Page, origin: string, liveId: string): Promise<void> {
  await page.goto(`${origin}/?live=${liveId}`);
  // NOTE: patient on a shared 2-core box; still fails when the page never gets there.
  await expect
    .poll(() => page.locator('#status').getAttribute('data-status'), { timeout: 10_000 })
    .toBe('live');
}

/** A phone-sized viewer page signed in as a guest called `name` and joined to the live (shows `live`). */
export async function viewerPage(app: ClientApp, liveId: string, name: string): Promise<Page> {
  const ctx = await app.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
  const page = await ctx.newPage();
  await nameGuest(page, app.s.url, name);
  await openLive(page, app.s.url, liveId);
  return page;
}

/** Selects a studio tab by its name (the studio keeps every panel in a tab). */
export const openTab = (page: Page, name: string) => page.getByRole('tab', { name, exact: true }).click();
