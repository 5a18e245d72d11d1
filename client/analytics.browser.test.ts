/**
 * The studio's analytics page in Chromium: a host who logged in through the studio opens /analytics.html over a
 * seeded history; the charts draw, the per-live table shows the route's figures as text (a hostile live title
 * stays text), and the page switches to zh-CN. Screenshots are kept in test-artifacts/.
 */
import { join } from 'node:path';
import type { MerchantAnalytics } from '@lc/contracts/analytics.schema';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS } from '../test/browser/chromium';
import { type ClientApp, startClientApp } from '../test/browser/client-app';
import { http, type TestServer } from '../test/server';

const LIVES = 6;
const HOSTILE = '<img src=x onerror=alert(1)>';

describe('analytics page (Chromium)', () => {
  let s: TestServer;
  let browser: Browser;
  let app: ClientApp | undefined;
  beforeAll(async () => {
    app = await startClientApp({ name: 'analytics' });
    ({ s, browser } = app);
  }, 120_000);
  afterAll(() => app?.close());

  it('charts the figures across lives and lists them per live as text, in en and zh-CN', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
    await page.goto(`${s.url}/host.html`);
    await page.getByLabel('Username').fill('analytics_host');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Register' }).click();
    await expect.poll(() => page.locator('#lives-panel').isVisible(), { timeout: 10_000 }).toBe(true);
    const login = await http<{ token: string; user: { id: string } }>(s, 'POST', '/api/auth/login', {
      username: 'analytics_host',
      password: 'correct horse battery',
    });
    const h = login.body.user.id;
    // Six past lives a few days apart, 200 viewers each out of 500, a tenth of whom buy.
    await s.built.deps.db.exec(`
      CREATE TEMP TABLE seed_lives AS
        SELECT gen_random_uuid() AS id, j, now() - interval '40 days' + j * interval '5 days' AS ended_at
        FROM generate_series(0, ${LIVES - 1}) j;
      INSERT INTO lives (id, host_id, title, status, started_at, ended_at)
        SELECT id, '${h}', CASE WHEN j = 0 THEN '${HOSTILE}' ELSE '直播 ' || j END, 'ended', ended_at - interval '1 hour',
               ended_at FROM seed_lives;
      CREATE TEMP TABLE seed_att AS
        SELECT l.id AS live_id, l.j, l.ended_at, (l.j * 97 + k * 3) % 500 AS u FROM seed_lives l, generate_series(0, 199) k;
      INSERT INTO live_attendance (live_id, merchant_id, user_id, watch_ms, comments, likes, via_share, ended_at)
        SELECT live_id, '${h}', 'v' || u, (u % 40) * 60000, (u + j) % 3, (u * 7 + j) % 5, u % 19 = 0, ended_at FROM seed_att;
      INSERT INTO products (id, live_id, title, price, currency, stock, per_user_limit)
        SELECT gen_random_uuid(), id, 'p', 1000, 'CNY', 100000, 0 FROM seed_lives;
      INSERT INTO sales (id, live_id, product_id, deal_price, currency, units, per_user_limit, countdown_at, opens_at,
                         closes_at, fair_window_ms)
        SELECT gen_random_uuid(), p.live_id, p.id, 1000, 'CNY', 100000, 1, now(), now(), now() + interval '1 hour', 0
        FROM products p JOIN seed_lives l ON l.id = p.live_id;
      CREATE TEMP TABLE seed_ord AS
        SELECT gen_random_uuid() AS pay, gen_random_uuid() AS oid, gen_random_uuid() AS resv, a.live_id, 'v' || a.u AS user_id,
               1000 + (a.u % 5) * 500 AS total, s.id AS sale_id, s.product_id
        FROM seed_att a JOIN sales s ON s.live_id = a.live_id WHERE (a.u + a.j) % 10 = 0;
      INSERT INTO payments (id, live_id, reservation_id, user_id, provider, amount, currency, status, idempotency_key)
        SELECT pay, live_id, resv, user_id, 'seed', total, 'CNY', 'succeeded', oid::text FROM seed_ord;
      INSERT INTO orders (id, live_id, reservation_id, payment_id, user_id, idempotency_key, sale_id, product_id, quantity,
                          unit_price, subtotal, discount, total, currency, status)
        SELECT oid, live_id, resv, pay, user_id, oid::text, sale_id, product_id, 1, total, total, 0, total, 'CNY', 'settled'
        FROM seed_ord;
    `);
    const api = await http<MerchantAnalytics>(
      s,
      'GET',
      '/api/growth/analytics?by=week',
      undefined,
      login.body.token,
    );
    expect(api.body.lives).toHaveLength(LIVES);

    // The studio links to the page.
    await page.getByRole('link', { name: 'Analytics across lives' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/analytics.html');
    await expect
      .poll(() => page.locator('body').getAttribute('data-loaded'), { timeout: 15_000 })
      .toBe('true');
    for (const id of [
      'chart-period-viewers',
      'chart-period-rates',
      'chart-period-gmv',
      'chart-live-retention',
    ])
      await expect.poll(() => page.locator(`#${id} .chart-plot`).getAttribute('data-ready')).toBe('true');
    expect(await page.locator('#chart-period-viewers canvas').count()).toBe(1);
    const rows = page.locator('#live-table tbody tr');
    expect(await rows.count()).toBe(LIVES);
    for (const [i, live] of api.body.lives.entries()) {
      const cells = await rows.nth(i).locator('td').allTextContents();
      expect(cells[1]).toBe(live.title);
      expect(cells[3]).toBe(String(live.uniqueViewers));
      expect(cells[4]).toBe(String(live.returningViewers));
      expect(cells[11]).toBe(`${(live.conversion * 100).toFixed(1)}%`);
    }
    expect(await page.locator('#live-table img').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'analytics-en.png'), fullPage: true });

    await page.locator('#lang').selectOption('zh-CN');
    await expect.poll(() => page.locator('h1').textContent()).toBe('跨场次数据分析');
    expect(await page.locator('#live-table thead th').nth(3).textContent()).toBe('观众');
    await page.locator('#analytics-by').selectOption('month');
    await expect
      .poll(
        async () =>
          (await page.locator('#chart-period-viewers .chart-plot').getAttribute('data-points')) ?? '',
      )
      .not.toBe(String(api.body.periods.length));
    await page.screenshot({ path: join(ARTIFACTS, 'analytics-zh-CN.png'), fullPage: true });
  }, 180_000);
});
