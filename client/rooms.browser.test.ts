import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS } from '../test/browser/chromium';
import { type ClientApp, nameGuest, startClientApp } from '../test/browser/client-app';
import type { TestServer } from '../test/server';

describe('host and viewer pages in Chromium', () => {
  let s: TestServer;
  let browser: Browser;
  let app: ClientApp | undefined;
  beforeAll(async () => {
    app = await startClientApp({ name: 'rooms' });
    ({ s, browser } = app);
  });
  afterAll(() => app?.close());

  it('a host registers, creates a live and goes live; a viewer joins and sees the announcement as text', async () => {
    const host = await (await browser.newContext()).newPage();
    await host.goto(`${s.url}/host.html`);
    await host.getByLabel('Username').fill('studio_host');
    await host.getByLabel('Password').fill('correct horse battery');
    await host.getByLabel('Display name (to register)').fill('小红 Host');
    await host.getByRole('button', { name: 'Register' }).click();
    await host.getByLabel('New live title').fill('Spring sale 春季特卖');
    await host.getByRole('button', { name: 'Create' }).click();
    // NOTE: patient on a shared 2-core box (page load, token, socket, join); still fails if it never gets there.
    await expect.poll(() => host.locator('#status').textContent(), { timeout: 10_000 }).toBe('scheduled');
    await host.getByRole('button', { name: 'Go live' }).click();
    await expect.poll(() => host.locator('#status').textContent()).toBe('live');
    const liveUrl = new URL(host.url());

    const viewer = await (await browser.newContext()).newPage();
    await nameGuest(viewer, s.url, 'viewer 🐱');
    await viewer.getByRole('link', { name: 'Spring sale 春季特卖' }).click();
    await expect.poll(() => viewer.locator('#title').textContent()).toBe('Spring sale 春季特卖');
    expect(new URL(viewer.url()).searchParams.get('live')).toBe(liveUrl.searchParams.get('live'));
    await expect.poll(() => host.locator('#online').textContent(), { timeout: 5000 }).toBe('2');

    const markup = '<img src=x onerror="window.__pwned=1"><b>bold</b>';
    await host.getByLabel('Announcement').fill(markup);
    await host.getByRole('button', { name: 'Post' }).click();
    const item = viewer.locator('#events li', { hasText: 'bold' });
    await expect.poll(() => item.count(), { timeout: 5000 }).toBe(1);
    expect(await item.textContent()).toContain(markup);
    expect(await viewer.locator('#events img, #events b').count()).toBe(0);
    expect(await viewer.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

    // A comment with markup from the viewer reaches the host as text; likes are counted on both pages.
    const comment = '<script>window.__pwned=2</script><img src=y onerror="window.__pwned=3"> 好看 👍';
    await viewer.getByLabel('Comment').fill(comment);
    await viewer.getByRole('button', { name: 'Send' }).click();
    const said = host.locator('#events li', { hasText: '好看' });
    await expect.poll(() => said.count(), { timeout: 5000 }).toBe(1);
    expect(await said.textContent()).toContain(comment);
    expect(await viewer.locator('#events li', { hasText: '好看' }).count()).toBe(1);
    expect(await host.locator('#events img, #events script').count()).toBe(0);
    expect(await host.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    for (let i = 0; i < 3; i++) await viewer.getByRole('button', { name: 'Like', exact: true }).click();
    await expect.poll(() => host.locator('#likes').textContent(), { timeout: 8000 }).toBe('3');

    await host.screenshot({ path: join(ARTIFACTS, 'host-studio.png') });
    await viewer.screenshot({ path: join(ARTIFACTS, 'viewer-room.png') });

    await host.getByRole('button', { name: 'End live' }).click();
    await expect.poll(() => viewer.locator('#status').textContent(), { timeout: 5000 }).toBe('ended');
  });
});
