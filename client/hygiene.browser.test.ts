/**
 * Hostile text in Chromium: every field a host or a viewer fills in (live, product and coupon titles,
 * announcements, the pinned text, poll, lottery, comments, questions, display names) shows on the viewer page
 * and in the studio as the normalized text, with no element injected and no script run; a product image URL
 * lands only in an attribute. And a message over the server's size limit is named, not a silent disconnect.
 */
import type { AuthResponse } from '@lc/contracts/auth.schema';
import type { Product } from '@lc/contracts/commerce.schema';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientApp, startClientApp, viewerPage } from '../test/browser/client-app';
import { expectedOutcome } from '../test/hostile-corpus';
import { guestOn, joinAs } from '../test/interaction';
import { call, http, registerHost, startServer } from '../test/server';

const stored = (raw: string, max: number): string => {
  const outcome = expectedOutcome(raw, { max });
  if (!('stored' in outcome)) throw new Error(`seed ${JSON.stringify(raw)} would be refused`);
  return outcome.stored;
};

/** What an injection would leave behind: a flag set by a payload, elements or handler attributes. */
const injected = (page: Page) =>
  page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
    elements: document.querySelectorAll(
      'iframe, script:not([src]), svg[onload], img[src="x"], img[src="y"], a[href^="javascript"], u',
    ).length,
    handlers: [...document.querySelectorAll('*')].filter((e) =>
      [...e.attributes].some((a) => a.name.startsWith('on')),
    ).length,
  }));

describe('hostile text rendered in Chromium', () => {
  let app: ClientApp | undefined;
  beforeAll(async () => {
    app = await startClientApp({
      name: 'hygiene',
      // A small socket message limit, so a long comment typed in the page goes over it.
      start: (env, build) => startServer({ env: { ...env, SOCKET_MAX_MESSAGE_BYTES: '4096' }, build }),
    });
  });
  afterAll(() => app?.close());

  it('shows every field as text on the viewer page and in the studio, with nothing injected', async () => {
    const { s, browser } = app!;
    const raw = {
      title: 'evil\u202Etxt <img src=x onerror="window.__pwned=1">',
      product: '<svg onload="window.__pwned=2"> 龙井\u200B\u200B茶',
      coupon: '<script>window.__pwned=3</script>',
      announce: '<b>bold</b>\u0000 \u2066x\u2069',
      pinned: 'Pinned <iframe src=javascript:window.__pwned=4>',
      question: '<img src=x onerror="window.__pwned=5">?',
      options: ['👩‍👩‍👧‍👦 yes', "x'); DROP TABLE polls;--"],
      lottery: 'Cafe\u0301 <a href=javascript:window.__pwned=6>win</a>',
      hostComment: '<img src=y onerror="window.__pwned=7"> 好看',
      guestName: '<u>guest</u>\u202E',
      ask: '<script>window.__pwned=8</script> 多少钱?',
      guestComment: 'line1\nline2 <u>u</u>',
    };
    const host: AuthResponse = await registerHost(s, 'hygiene_host');
    const live = await http<{ id: string }>(s, 'POST', '/api/lives', { title: raw.title }, host.token);
    const liveId = live.body.id;
    await http(s, 'POST', `/api/lives/${liveId}/start`, undefined, host.token);
    const imageUrl = 'https://img.example/tea.jpg';
    const product = await http<Product>(
      s,
      'POST',
      `/api/lives/${liveId}/products`,
      { title: raw.product, imageUrl, price: 9900, currency: 'CNY', stock: 10 },
      host.token,
    );
    await http(s, 'PUT', `/api/lives/${liveId}/pinned-product`, { productId: product.body.id }, host.token);
    const coupon = { kind: 'amount_off', amountOff: 100, title: raw.coupon, currency: 'CNY', quota: 5 };
    await http(s, 'POST', `/api/lives/${liveId}/coupons`, coupon, host.token);
    const hostC = await joinAs(s, host, liveId);
    const ok = async (event: string, payload: object) =>
      expect((await call(hostC.socket, event, { liveId, ...payload })).ok, event).toBe(true);
    await ok('live:announce', { text: raw.announce });
    await ok('mod:pin', { text: raw.pinned });
    await ok('poll:create', { question: raw.question, options: raw.options, durationSec: 600 });
    const couponId = (
      await http<{ coupons: Array<{ id: string }> }>(
        s,
        'GET',
        `/api/lives/${liveId}/coupons`,
        undefined,
        host.token,
      )
    ).body.coupons[0]!.id;
    await ok('lottery:create', {
      title: raw.lottery,
      prize: { kind: 'coupon', couponId },
      winners: 1,
      durationSec: 600,
    });
    await ok('comment:send', { text: raw.hostComment });
    const g = await joinAs(s, await guestOn(s, raw.guestName), liveId);
    expect((await call(g.socket, 'qa:ask', { liveId, text: raw.ask })).ok).toBe(true);
    expect((await call(g.socket, 'comment:send', { liveId, text: raw.guestComment })).ok).toBe(true);

    const viewerTexts = [
      stored(raw.title, 120),
      stored(raw.product, 120),
      stored(raw.coupon, 60),
      stored(raw.announce, 500),
      stored(raw.pinned, 500),
      stored(raw.question, 200),
      stored(raw.options[0]!, 80),
      stored(raw.options[1]!, 80),
      stored(raw.lottery, 120),
      stored(raw.hostComment, 200),
      stored(raw.guestName, 32),
      stored(raw.ask, 300),
      stored(raw.guestComment, 200),
    ];
    const viewer = await viewerPage(app!, liveId, '<u>me</u>');
    for (const text of viewerTexts) {
      await expect
        .poll(() => viewer.evaluate((t) => document.body.textContent!.includes(t), text), { timeout: 5000 })
        .toBe(true);
    }
    expect(await viewer.locator('#product-image').getAttribute('src')).toBe(imageUrl);
    expect(await injected(viewer)).toEqual({ pwned: null, elements: 0, handlers: 0 });

    // The studio, signed in as the host.
    const ctx = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    await ctx.addInitScript(
      ([session, id]) => {
        localStorage.setItem('lc.session', session);
        localStorage.setItem('lc.host', id);
      },
      [JSON.stringify(host), host.user.id] as const,
    );
    const studio = await ctx.newPage();
    await studio.goto(`${s.url}/host.html?live=${liveId}`);
    await expect.poll(() => studio.locator('#status').textContent(), { timeout: 10_000 }).toBe('live');
    for (const text of [stored(raw.title, 120), stored(raw.product, 120), stored(raw.coupon, 60)]) {
      await expect
        .poll(() => studio.evaluate((t) => document.body.textContent!.includes(t), text), { timeout: 5000 })
        .toBe(true);
    }
    await expect
      .poll(() => studio.evaluate((t) => document.body.textContent!.includes(t), stored(raw.ask, 300)), {
        timeout: 5000,
      })
      .toBe(true);
    expect(await injected(studio)).toEqual({ pwned: null, elements: 0, handlers: 0 });
    for (const c of [hostC, g]) c.close();
  });

  it('tells the viewer a comment was too large for the server instead of silently reconnecting', async () => {
    const { s } = app!;
    const host = await registerHost(s, 'hygiene_big');
    const live = await http<{ id: string }>(s, 'POST', '/api/lives', { title: 'Big' }, host.token);
    await http(s, 'POST', `/api/lives/${live.body.id}/start`, undefined, host.token);
    const page = await viewerPage(app!, live.body.id, 'talker');
    // 2000 CJK characters: about 6 kB of UTF-8, over the 4 kB limit (the input allows 2000 characters).
    await page.getByLabel('Comment').fill('好'.repeat(2000));
    await page.getByRole('button', { name: 'Send' }).click();
    await expect
      .poll(() => page.locator('#comment-error').textContent(), { timeout: 10_000 })
      .toBe('That was too long to send.');
    // The room comes back by itself, and a normal comment goes through.
    await expect
      .poll(() => page.evaluate(() => document.body.dataset.conn), { timeout: 10_000 })
      .toBe('online');
    await page.getByLabel('Comment').fill('short one');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.locator('#comment-error').textContent(), { timeout: 10_000 }).toBe('');
  });
});
