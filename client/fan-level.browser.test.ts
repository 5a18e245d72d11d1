import { join } from 'node:path';
import type { FanStatus } from '@lc/contracts/growth.schema';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS } from '../test/browser/chromium';
import { type ClientApp, nameGuest, openLive, startClientApp } from '../test/browser/client-app';
import { addProduct, pay, reserve, scheduleSale } from '../test/commerce';
import { guestOn, joinAs } from '../test/interaction';
import { call, http, registerHost, type TestServer, waitFor } from '../test/server';

describe('fan levels in chat (Chromium)', () => {
  let s: TestServer;
  let browser: Browser;
  let app: ClientApp | undefined;
  beforeAll(async () => {
    app = await startClientApp({ name: 'growth', worker: true });
    ({ s, browser } = app);
  }, 120_000);
  afterAll(() => app?.close());

  it('a viewer who attended 3 lives and bought twice is loyal, and the badge shows on another viewer’s page', async () => {
    const host = await registerHost(s);
    const fan = await guestOn(s, 'fan 粉丝');
    const newLive = async (title: string) => {
      const live = await http<{ id: string }>(s, 'POST', '/api/lives', { title }, host.token);
      await http(s, 'POST', `/api/lives/${live.body.id}/start`, undefined, host.token);
      return live.body.id;
    };
    for (let n = 0; n < 3; n++) {
      const liveId = await newLive(`live ${n}`);
      const c = await joinAs(s, fan, liveId);
      if (n < 2) {
        const product = await addProduct(s, host.token, liveId);
        const sale = await scheduleSale(s, host.token, liveId, product.id);
        const r = await reserve(s, fan.token, liveId, sale.id);
        expect((await pay(s, fan.token, liveId, r.body.id, undefined, { method: 'card' })).status).toBe(202);
        await waitFor(
          async () =>
            (await s.built.deps.db.query('SELECT 1 FROM orders WHERE live_id = $1', [liveId])).rowCount === 1,
          20_000,
          'order',
        );
      }
      c.close();
      await http(s, 'POST', `/api/lives/${liveId}/end`, undefined, host.token);
      await waitFor(
        async () =>
          (await s.built.deps.db.query('SELECT 1 FROM live_attendance WHERE live_id = $1', [liveId]))
            .rowCount === 1,
        30_000,
        'attendance',
      );
    }
    const status = await waitFor(
      async () => {
        const r = await http<FanStatus>(s, 'GET', `/api/merchants/${host.user.id}/fan`, undefined, fan.token);
        return r.body.level === 'loyal' && r.body;
      },
      30_000,
      'loyal level',
    );
    expect(status).toMatchObject({ lives: 3, orders: 2 });
    expect(status.badges.map((b) => b.badge).sort()).toEqual(['first_purchase', 'lives_3']);

    // The fourth live: another viewer watches in Chromium while the fan comments.
    const liveId = await newLive('live 3');
    const page = await (await browser.newContext()).newPage();
    await nameGuest(page, s.url, 'watcher');
    await openLive(page, s.url, liveId);
    const other = await joinAs(s, await guestOn(s, 'newcomer'), liveId);
    const fanSocket = await joinAs(s, fan, liveId);
    expect((await call(fanSocket.socket, 'comment:send', { liveId, text: '又来啦 again' })).ok).toBe(true);
    expect((await call(other.socket, 'comment:send', { liveId, text: 'first time here' })).ok).toBe(true);
    const fanLine = page.locator('#events li', { hasText: '又来啦' });
    await expect.poll(() => fanLine.count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => fanLine.locator('.badge-fan').getAttribute('data-level')).toBe('loyal');
    expect(await fanLine.locator('.badge-fan').textContent()).toBe('Loyal fan');
    const newcomerLine = page.locator('#events li', { hasText: 'first time here' });
    await expect.poll(() => newcomerLine.count(), { timeout: 10_000 }).toBe(1);
    expect(await newcomerLine.locator('.badge-fan').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'fan-level-badge.png') });
    fanSocket.close();
    other.close();
  }, 240_000);
});
