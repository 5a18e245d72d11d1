/**
 * The accessibility gate: axe-core in Chromium finds no serious or critical violation on the viewer (entry page,
 * room, every sheet; phone and desktop; light and dark), the studio (every tab) and the verify page — and the
 * same check does fail when a control loses its label.
 */
import type { Coupon } from '@lc/contracts/commerce.schema';
import type { Lottery } from '@lc/contracts/lottery.schema';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blocking, describe as explain } from '../test/browser/axe';
import { type ClientApp, nameGuest, openLive, openTab, startClientApp } from '../test/browser/client-app';
import { addProduct, scheduleSale } from '../test/commerce';
import { call, joinAs, type RoomClient } from '../test/interaction';
import { hostWithLive, http, type TestServer } from '../test/server';

const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, locale: 'en-US' };
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 }, locale: 'en-US' };

/** Fails with every serious or critical violation named (rule, help, elements). */
async function expectClean(page: Page, where: string) {
  expect(explain(await blocking(page)), where).toEqual([]);
}

describe('accessibility (axe-core in Chromium)', { timeout: 90_000 }, () => {
  let s: TestServer;
  let browser: Browser;
  let app: ClientApp | undefined;
  let liveId: string;
  let hostName: string;
  let hostC: RoomClient;
  let lotteryId: string;
  const newPage = async (opts: BrowserContextOptions) => {
    const ctx = await browser.newContext(opts);
    ctx.setDefaultTimeout(15_000);
    return ctx.newPage();
  };

  beforeAll(async () => {
    app = await startClientApp({ name: 'a11y' });
    ({ s, browser } = app);
    // A room with something in every panel: a pinned product on sale, a coupon, a poll, a lottery, comments.
    const { host, liveId: id } = await hostWithLive(s);
    liveId = id;
    hostName = host.user.displayName;
    const product = await addProduct(s, host.token, liveId, { title: 'Tea 龙井' });
    await http(s, 'PUT', `/api/lives/${liveId}/pinned-product`, { productId: product.id }, host.token);
    await scheduleSale(s, host.token, liveId, product.id, { dealPrice: 4900, units: 20 });
    const coupon = await http<Coupon>(
      s,
      'POST',
      `/api/lives/${liveId}/coupons`,
      { kind: 'amount_off', amountOff: 500, title: '¥5 off', currency: 'CNY', quota: 10 },
      host.token,
    );
    hostC = await joinAs(s, host, liveId);
    expect(
      (
        await call(hostC.socket, 'poll:create', {
          liveId,
          question: 'Green or black?',
          options: ['Green', 'Black'],
          durationSec: 600,
        })
      ).ok,
    ).toBe(true);
    const created = await call<{ lottery: Lottery }>(hostC.socket, 'lottery:create', {
      liveId,
      title: 'Tea draw',
      prize: { kind: 'coupon', couponId: coupon.body.id },
      winners: 1,
      durationSec: 600,
    });
    if (!created.ok) throw new Error(created.error.code);
    lotteryId = created.data.lottery.id;
    expect((await call(hostC.socket, 'comment:send', { liveId, text: 'welcome 欢迎' })).ok).toBe(true);
  });
  afterAll(async () => {
    hostC?.close();
    await app?.close();
  });

  for (const [size, opts] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`viewer entry page and room, every sheet open in turn: none on a ${size}, ${colorScheme}`, async () => {
        const page = await newPage({ ...opts, colorScheme });
        await nameGuest(page, s.url, `axe ${size} ${colorScheme}`);
        await expect.poll(() => page.locator('.live-card').count()).toBeGreaterThan(0);
        await expectClean(page, 'entry page');
        await openLive(page, s.url, liveId);
        await page.getByLabel('Comment').fill('hello 你好');
        await page.getByRole('button', { name: 'Send' }).click();
        await expect.poll(() => page.locator('#poll').isVisible()).toBe(true);
        await expect.poll(() => page.locator('#product-dock').isVisible()).toBe(true);
        await expectClean(page, 'room');
        for (const opener of ['#product-dock', '#lottery-open', '#qa-open', '#more-open']) {
          await page.locator(opener).click();
          await expectClean(page, `room with ${opener} open`);
          await page.keyboard.press('Escape');
        }
        await page.context().close();
      });
    }
  }

  it('studio: every tab, light and dark, has none', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await newPage({ ...DESKTOP, colorScheme });
      await page.goto(`${s.url}/host.html`);
      await expectClean(page, `sign-in, ${colorScheme}`);
      await page.getByLabel('Username').fill(hostName);
      await page.getByLabel('Password').fill('correct horse');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByLabel('New live title').waitFor();
      await expectClean(page, `lives, ${colorScheme}`);
      await page.locator(`#lives a[href="?live=${liveId}"]`).click();
      await expect
        .poll(() => page.locator('#status').getAttribute('data-status'), { timeout: 15_000 })
        .toBe('live');
      for (const name of await page.getByRole('tab').allTextContents()) {
        await openTab(page, name);
        await expectClean(page, `studio tab ${name}, ${colorScheme}`);
      }
      await page.getByRole('button', { name: 'Shortcuts' }).click();
      await expectClean(page, `studio shortcuts, ${colorScheme}`);
      await page.context().close();
    }
  }, 120_000);

  it('verify page with a drawn lottery (MATCH) has none', async () => {
    const drawn = await call(hostC.socket, 'lottery:draw', { liveId, lotteryId });
    expect(drawn.ok).toBe(true);
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await newPage({ ...PHONE, colorScheme });
      await page.goto(`${s.url}/verify.html?live=${liveId}&lottery=${lotteryId}`);
      await expect
        .poll(() => page.locator('#verdict').getAttribute('data-state'), { timeout: 10_000 })
        .toBe('match');
      await expectClean(page, `verify, ${colorScheme}`);
      await page.context().close();
    }
  });

  it('the gate fails when a label is removed: a viewer and a studio field without one are critical violations', async () => {
    const page = await newPage(PHONE);
    await nameGuest(page, s.url, 'label remover');
    await openLive(page, s.url, liveId);
    await page.locator('#qa-open').click();
    expect(await blocking(page)).toEqual([]);
    await page.evaluate(() => document.querySelector('label[for="qa-text"]')!.remove());
    const found = await blocking(page);
    expect(found.map((v) => [v.id, v.impact, v.targets])).toContainEqual(['label', 'critical', ['#qa-text']]);
    await page.context().close();

    const studio = await newPage(DESKTOP);
    await studio.goto(`${s.url}/host.html`);
    expect(await blocking(studio)).toEqual([]);
    await studio.evaluate(() => document.querySelector('label[for="username"]')!.remove());
    expect((await blocking(studio)).map((v) => [v.id, v.impact, v.targets])).toContainEqual([
      'label',
      'critical',
      ['#username'],
    ]);
    await studio.context().close();
  });
});
