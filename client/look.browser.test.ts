/**
 * The live-shopping look, checked in Chromium with real media: the host runs the show from the studio dashboard
 * (fake camera through mediasoup), a phone-sized viewer watches full-height video with the chat over it, taps the
 * docked product card and buys in the sheet. Screenshots of every main screen (390×844 and 1280×800, en and
 * zh-CN) go to test-artifacts/look-*.png; UPDATE_README_SCREENSHOTS=1 also refreshes docs/screenshots/.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS } from '../test/browser/chromium';
import { type ClientApp, nameGuest, openLive, startClientApp } from '../test/browser/client-app';
import { type ImageServer, startImageServer } from '../test/browser/images';
import { scheduleSale } from '../test/commerce';
import { call, guestOn, joinAs, type RoomClient } from '../test/interaction';
import { startMediaServer } from '../test/media';
import type { TestServer } from '../test/server';

const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  locale: 'en-US',
  hasTouch: true,
};
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 }, locale: 'en-US' };
const SLOW = { timeout: 20_000 };

/** The page's <video>: decoded size and playback position. */
const video = (page: Page, selector: string) =>
  page.locator(selector).evaluate((v: HTMLVideoElement) => ({ width: v.videoWidth, time: v.currentTime }));

async function playing(page: Page, selector: string) {
  await expect.poll(async () => (await video(page, selector)).width, SLOW).toBeGreaterThan(0);
  const t = (await video(page, selector)).time;
  await expect.poll(async () => (await video(page, selector)).time, SLOW).toBeGreaterThan(t);
}

// NOTE: real media and four pages on a shared 2-core box: patient per-test limits (each step still polls).
describe('the live-shopping look in Chromium (real media)', { timeout: 90_000 }, () => {
  let s: TestServer;
  let browser: Browser;
  let app: ClientApp | undefined;
  let images: ImageServer | undefined;
  let host: Page;
  let phone: Page;
  let liveId: string;
  let token: string;
  // For the pictures: a desktop viewer and a busier room (the host and a few viewers talk), kept for both languages.
  let desktop: Page;
  const talkers: RoomClient[] = [];
  /** A fresh context; actions fail after 15 s instead of waiting forever. */
  const newPage = async (opts: BrowserContextOptions) => {
    const ctx = await browser.newContext(opts);
    ctx.setDefaultTimeout(15_000);
    return ctx.newPage();
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `look-${name}.png`) });

  beforeAll(async () => {
    app = await startClientApp({
      name: 'look',
      start: (env, build) => startMediaServer([45600, 45799], env, build),
    });
    ({ s, browser } = app);
    images = await startImageServer();
  });
  afterAll(async () => {
    for (const c of talkers) c.close();
    await images?.close();
    await app?.close();
  });

  it('the host goes live from the studio dashboard, adds products with images and pins one with Alt+P', async () => {
    host = await newPage(DESKTOP);
    await host.goto(`${s.url}/host.html`);
    await host.getByLabel('Username').fill('look_host');
    await host.getByLabel('Password').fill('correct horse battery');
    await host.getByLabel('Display name (to register)').fill('小美 Mei');
    await host.getByRole('button', { name: 'Register' }).click();
    await host.getByLabel('New live title').fill('Spring tea 春茶 live');
    await host.getByRole('button', { name: 'Create' }).click();
    await playing(host, '#preview');
    await host.getByRole('button', { name: 'Go live' }).click();
    await expect.poll(() => host.locator('#status').getAttribute('data-status')).toBe('live');
    await expect.poll(() => host.locator('#media-state').getAttribute('data-state'), SLOW).toBe('live');
    liveId = new URL(host.url()).searchParams.get('live')!;
    token = await host.evaluate(() => JSON.parse(localStorage.getItem('lc.session')!).token as string);

    await host.getByRole('tab', { name: 'Products & sales' }).click();
    for (const [title, price, hue] of [
      ['West Lake Longjing 西湖龙井', '128', 150],
      ['Jasmine pearls 茉莉龙珠', '86', 40],
    ] as const) {
      await host.getByLabel('Product name').fill(title);
      await host.getByLabel('List price').fill(price);
      await host.getByLabel('Image URL (optional)').fill(images!.url(hue));
      await host.getByRole('button', { name: 'Add product' }).click();
      await expect.poll(() => host.locator('#products li', { hasText: title }).count()).toBe(1);
    }
    await host.keyboard.press('Alt+P');
    const first = host.locator('#products li', { hasText: 'Longjing' });
    await expect.poll(() => first.getAttribute('class')).toBe('pinned');
    await expect
      .poll(() => host.locator('#toasts .toast').last().textContent())
      .toBe('Pinned: West Lake Longjing 西湖龙井');
  });

  it('the entry page shows the live as a card (cover, title, host, live badge, viewer count); a guest watches without typing a name', async () => {
    phone = await newPage(PHONE);
    await phone.goto(`${s.url}/`);
    // No form to fill: a generated guest name is already there (and can be edited).
    const name = phone.getByLabel('Your name');
    await expect.poll(() => name.inputValue()).toMatch(/^\S+ \d{4}$/);
    const card = phone.locator(`a.live-card[data-live-id="${liveId}"]`);
    expect(await card.locator('.card-title').textContent()).toBe('Spring tea 春茶 live');
    expect(await card.locator('.card-host').textContent()).toBe('小美 Mei');
    expect(await card.locator('.badge-live').textContent()).toBe('Live');
    // The host is in the room: one watching; the cover is the pinned product's image.
    await expect.poll(() => card.locator('.viewers').getAttribute('data-count')).toBe('1');
    expect(await card.locator('.cover img').getAttribute('src')).toBe(images!.url(150));
    await shot(phone, 'entry-phone-en');

    await card.click();
    await expect.poll(() => phone.locator('#status').getAttribute('data-status'), SLOW).toBe('live');
    expect(await phone.locator('#title').textContent()).toBe('Spring tea 春茶 live');
    await expect.poll(() => host.locator('#online').textContent()).toBe('2');
  });

  it('on a 390×844 phone the video fills the width with the chat over it; the viewer taps the product card, buys in the sheet and sees the order toast', async () => {
    await playing(phone, '#player');
    const box = (await phone.locator('#player').boundingBox())!;
    expect(box.width).toBe(390);
    expect(box.height).toBeGreaterThan(800);

    await phone.getByLabel('Comment').fill('好喝吗 how does it taste?');
    await phone.getByRole('button', { name: 'Send' }).click();
    const said = phone.locator('#events li', { hasText: 'how does it taste' });
    await expect.poll(() => said.count()).toBe(1);
    // The chat line sits on the video, and is what the eye (and a tap) gets at that point — not the video.
    const line = (await said.boundingBox())!;
    expect(line.x).toBeGreaterThanOrEqual(box.x);
    expect(line.y + line.height).toBeLessThanOrEqual(box.y + box.height);
    expect(line.y).toBeGreaterThan(box.y + box.height / 2);
    const onTop = await said.evaluate((li) => {
      const r = li.getBoundingClientRect();
      return li.contains(document.elementFromPoint(r.x + 8, r.y + r.height / 2));
    });
    expect(onTop).toBe(true);

    const productId = (await host.locator('#products li.pinned').getAttribute('data-product-id'))!;
    await scheduleSale(s, token, liveId, productId, {
      dealPrice: 6800,
      units: 20,
      opensAt: Date.now() + 3000,
      countdownSec: 30,
    });
    const dock = phone.locator('#product-dock');
    await expect.poll(() => dock.getAttribute('data-cta')).toBe('soon');
    expect(await dock.locator('.dock-title').textContent()).toBe('West Lake Longjing 西湖龙井');
    await expect.poll(() => dock.getAttribute('data-cta'), SLOW).toBe('buy');
    await shot(phone, 'room-phone-en');

    await dock.click();
    await expect.poll(() => phone.locator('#shop-sheet').isVisible()).toBe(true);
    expect(await dock.getAttribute('aria-expanded')).toBe('true');
    await phone.getByRole('button', { name: 'Buy now' }).click();
    await phone.getByRole('button', { name: 'Pay (simulated)' }).click();
    const toast = phone.locator('#toasts .toast[data-kind="success"]', { hasText: 'Order confirmed' });
    await expect.poll(() => toast.count(), SLOW).toBe(1);
    expect(await toast.textContent()).toMatch(/^Order confirmed: 1 × West Lake Longjing 西湖龙井, paid/);
    expect(await toast.isVisible()).toBe(true);
    await shot(phone, 'room-phone-bought-en');
    // Escape closes the sheet and gives the focus back to the card.
    await phone.keyboard.press('Escape');
    expect(await phone.locator('#shop-sheet').isHidden()).toBe(true);
    expect(await phone.evaluate(() => document.activeElement?.id)).toBe('product-dock');
  });

  it('the host switches tabs without losing live state: comments, figures, charts and the camera keep going', async () => {
    await host.getByRole('tab', { name: 'Engagement' }).click();
    await expect.poll(() => host.locator('#chat li', { hasText: 'how does it taste' }).count()).toBe(1);
    // Away on another tab while a viewer comments and likes.
    await host.getByRole('tab', { name: 'Lottery' }).click();
    await phone.getByLabel('Comment').fill('second 第二条');
    await phone.getByRole('button', { name: 'Send' }).click();
    for (let i = 0; i < 5; i++) await phone.getByRole('button', { name: 'Like', exact: true }).click();
    await expect.poll(() => host.locator('#likes').textContent(), SLOW).toBe('5');
    await host.getByRole('tab', { name: 'Engagement' }).click();
    expect(await host.locator('#chat li', { hasText: 'second 第二条' }).count()).toBe(1);
    expect(await host.locator('#chat li', { hasText: 'how does it taste' }).count()).toBe(1);

    await host.getByRole('tab', { name: 'Live' }).click();
    expect(await host.locator('#units-sold').textContent()).toBe('1');
    expect(await host.locator('#head-gmv').textContent()).toBe('68.00 CNY');
    const samples = async () =>
      Number(await host.locator('#chart-online .chart-plot').getAttribute('data-samples'));
    const before = await samples();
    await expect.poll(samples, SLOW).toBeGreaterThan(before);
    expect(await host.locator('#chart-online canvas').count()).toBe(1);
    await expect.poll(() => host.locator('#chart-online .chart-plot').getAttribute('data-last')).toBe('2');
    // The camera never stopped: still publishing, the preview still plays, the on-air timer runs.
    expect(await host.locator('#media-state').getAttribute('data-state')).toBe('live');
    await playing(host, '#preview');
    expect(await host.locator('#live-timer').getAttribute('data-running')).toBe('true');
    // Keyboard: arrows move along the tabs.
    await host.getByRole('tab', { name: 'Live' }).focus();
    await host.keyboard.press('ArrowRight');
    expect(await host.getByRole('tab', { name: 'Products & sales' }).getAttribute('aria-selected')).toBe(
      'true',
    );
    await host.keyboard.press('Alt+1');
    expect(await host.getByRole('tab', { name: 'Live' }).getAttribute('aria-selected')).toBe('true');
  });

  it('Alt+S opens a flash sale for the pinned product; Alt+D draws the open lottery', async () => {
    await host.locator('body').click({ position: { x: 5, y: 300 } });
    await host.keyboard.press('Alt+S');
    expect(await host.getByRole('tab', { name: 'Products & sales' }).getAttribute('aria-selected')).toBe(
      'true',
    );
    expect(await host.evaluate(() => document.activeElement?.id)).toBe('sale-price');
    const pinned = await host.locator('#products li.pinned').getAttribute('data-product-id');
    expect(await host.locator('#sale-product').inputValue()).toBe(pinned);
    await host.keyboard.type('58');
    await host.locator('#sale-opens-in').fill('2');
    await host.locator('#sale-price').press('Enter');
    await expect.poll(() => host.locator('#sales li').count()).toBe(2);

    await host.getByRole('tab', { name: 'Lottery' }).click();
    await host.getByLabel('Lottery title').fill('Tea lover draw 抽奖');
    await host.getByRole('button', { name: 'Start lottery' }).click();
    await expect.poll(() => host.locator('#lottery-draw').isEnabled()).toBe(true);
    const badge = phone.locator('#lottery-open');
    await expect.poll(() => badge.isVisible(), SLOW).toBe(true);
    await badge.click();
    await phone.getByRole('button', { name: 'Enter the lottery' }).click();
    await expect.poll(() => phone.locator('#lottery-count').textContent(), SLOW).toBe('1');
    await phone.keyboard.press('Escape');
    await host.getByRole('tab', { name: 'Live' }).click();
    await host.keyboard.press('Alt+D');
    await expect.poll(() => host.locator('#lottery-winners li').count(), SLOW).toBe(1);
    expect(await host.getByRole('tab', { name: 'Lottery' }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => phone.locator('#toasts .toast', { hasText: 'You won' }).count(), SLOW).toBe(1);
  });

  it('screenshots every main screen at 390×844 and 1280×800 in en', async () => {
    const session = JSON.parse(await host.evaluate(() => localStorage.getItem('lc.session')!));
    const hostC = await joinAs(s, session, liveId);
    talkers.push(hostC);
    const guests = await Promise.all(
      ['Lily', '小王', 'Marco'].map(async (n) => joinAs(s, await guestOn(s, n), liveId)),
    );
    talkers.push(...guests);
    const lines: Array<[RoomClient, string]> = [
      [hostC, 'Welcome! Longjing from West Lake, picked this April 🍵'],
      [guests[0]!, 'Is the deal price for one tin?'],
      [guests[1]!, '已下单 ❤️'],
      [guests[2]!, 'Does it ship to Milan?'],
    ];
    for (const [c, text] of lines)
      expect((await call(c.socket, 'comment:send', { liveId, text })).ok).toBe(true);
    await expect.poll(() => phone.locator('#events li', { hasText: 'Milan' }).count(), SLOW).toBe(1);
    await expect.poll(() => phone.locator('#product-dock').getAttribute('data-cta'), SLOW).toBe('buy');
    desktop = await newPage(DESKTOP);
    await nameGuest(desktop, s.url, 'Desk viewer');
    // The host (studio and socket: one user), the phone viewer and the three talkers.
    await expect
      .poll(() => desktop.locator('.live-card .viewers').first().getAttribute('data-count'), SLOW)
      .toBe('5');
    await shot(desktop, 'entry-desktop-en');
    await openLive(desktop, s.url, liveId);
    await playing(desktop, '#player');
    await shot(desktop, 'room-desktop-en');
    await phone.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    for (let i = 0; i < 6; i++) await phone.getByRole('button', { name: 'Like', exact: true }).click();
    await shot(phone, 'room-phone-en');
    await host.getByRole('tab', { name: 'Live' }).click();
    await shot(host, 'studio-desktop-en');
    // The studio on a phone: the same page narrowed (a second studio page would publish a second camera).
    await host.setViewportSize(PHONE.viewport!);
    await shot(host, 'studio-phone-en');
    await host.setViewportSize(DESKTOP.viewport!);
    if (process.env.UPDATE_README_SCREENSHOTS) {
      const docs = join(process.cwd(), 'docs/screenshots');
      mkdirSync(docs, { recursive: true });
      copyFileSync(join(ARTIFACTS, 'look-room-phone-en.png'), join(docs, 'viewer-phone.png'));
      copyFileSync(join(ARTIFACTS, 'look-studio-desktop-en.png'), join(docs, 'studio-desktop.png'));
    }
  }, 120_000);

  it('screenshots every main screen at 390×844 and 1280×800 in zh-CN', async () => {
    for (const page of [phone, desktop, host]) await page.locator('#lang').selectOption('zh-CN');
    await expect.poll(() => phone.locator('#status').textContent(), SLOW).toBe('直播中');
    await shot(phone, 'room-phone-zh-CN');
    await shot(desktop, 'room-desktop-zh-CN');
    expect(await host.getByRole('tab', { name: '数据' }).getAttribute('aria-selected')).toBe('true');
    await shot(host, 'studio-desktop-zh-CN');
    await host.setViewportSize(PHONE.viewport!);
    await shot(host, 'studio-phone-zh-CN');
    await host.setViewportSize(DESKTOP.viewport!);
    for (const [page, size] of [
      [phone, 'phone'],
      [desktop, 'desktop'],
    ] as const) {
      await page.goto(`${s.url}/`);
      await expect
        .poll(() => page.locator(`[data-live-id="${liveId}"] .badge-live`).textContent(), SLOW)
        .toBe('直播中');
      await shot(page, `entry-${size}-zh-CN`);
    }
  }, 120_000);
});
