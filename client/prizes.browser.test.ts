import { join } from 'node:path';
import type { Coupon } from '@lc/contracts/commerce.schema';
import type { Lottery, MyPrize } from '@lc/contracts/lottery.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS } from '../test/browser/chromium';
import { type ClientApp, startClientApp, viewerPage } from '../test/browser/client-app';
import { addProduct } from '../test/commerce';
import { joinAs } from '../test/interaction';
import { call, hostWithLive, http, type TestServer } from '../test/server';

/** Server round-trips on a shared 2-core box: patient polls (they still fail when the page never gets there). */
const SLOW = { timeout: 10_000 };

describe('my prizes in Chromium', () => {
  let s: TestServer;
  let app: ClientApp | undefined;
  beforeAll(async () => {
    app = await startClientApp({ name: 'prizes', worker: true });
    ({ s } = app);
  });
  afterAll(() => app?.close());

  /** A phone-sized viewer page signed in as a guest and joined to the live. */
  const viewer = (liveId: string, name: string) => viewerPage(app!, liveId, name);

  it('the winner sees the prize offered after the live ends, is told about an empty or refused address, claims it from the keyboard and sees the coupon issued', async () => {
    const { host, liveId } = await hostWithLive(s);
    const coupon = await http<Coupon>(
      s,
      'POST',
      `/api/lives/${liveId}/coupons`,
      { kind: 'amount_off', amountOff: 500, title: '¥5 off', currency: 'CNY', quota: 10 },
      host.token,
    );
    expect(coupon.status).toBe(201);
    const hostC = await joinAs(s, host, liveId);
    const page = await viewer(liveId, 'lucky');
    const created = await call<{ lottery: Lottery }>(hostC.socket, 'lottery:create', {
      liveId,
      title: '锦鲤 <i>Giveaway</i>',
      prize: { kind: 'coupon', couponId: coupon.body.id },
      winners: 1,
      durationSec: 600,
      rules: {
        keyword: '锦鲤',
        followsHost: false,
        boughtInLive: false,
        presentAtDraw: false,
        excludeStaff: true,
      },
    });
    if (!created.ok) throw new Error(created.error.code);
    const lotteryId = created.data.lottery.id;
    await expect.poll(() => page.locator('#lottery-title').textContent(), SLOW).toBe('锦鲤 <i>Giveaway</i>');
    await page.getByLabel('Comment').fill('锦鲤 me');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect
      .poll(() => page.locator('#lottery-entrants').getAttribute('data-count'), { timeout: 8000 })
      .toBe('1');
    const drawn = await call<{ lottery: Lottery }>(hostC.socket, 'lottery:draw', { liveId, lotteryId });
    if (!drawn.ok) throw new Error(drawn.error.code);
    await expect.poll(() => page.locator('#lottery-status').textContent(), SLOW).toBe('🎉 You won!');
    // Nothing is offered before the live ends: in the open lottery sheet, the prizes panel stays hidden.
    await page.locator('#lottery-open').click();
    expect(await page.locator('#lottery').isVisible()).toBe(true);
    expect(await page.locator('#prizes').isHidden()).toBe(true);

    // The live ends: the worker's lottery-prizes step offers the prize and `lottery:won` reaches the open page.
    const ended = await http<{ endedAt: string }>(
      s,
      'POST',
      `/api/lives/${liveId}/end`,
      undefined,
      host.token,
    );
    expect(ended.status).toBe(200);
    const row = page.locator(`#prize-list li[data-lottery-id="${lotteryId}"]`);
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 15_000 }).toBe('awarded');
    expect(await row.locator('.prize-title').textContent()).toBe('锦鲤 <i>Giveaway</i>');
    expect(await page.locator('#prizes i').count()).toBe(0);
    expect(await row.locator('.prize-what').textContent()).toBe('Prize: a coupon');
    // The claim deadline: LOTTERY_CLAIM_HOURS (48 by default) after the end, counting down on the server clock.
    const deadline = Number(await row.locator('.prize-deadline').getAttribute('data-deadline'));
    expect(Math.abs(deadline - Date.now() - 48 * 3_600_000)).toBeLessThan(60_000);
    expect(await row.locator('.prize-deadline').textContent()).toMatch(
      /^Claim by .+ \(4[78]:\d\d:\d\d left\)$/,
    );
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-prize-offered.png'), fullPage: true });

    // Keyboard: submitting the empty form names the missing fields and puts the focus on the first one.
    const claim = row.getByRole('button', { name: 'Claim prize' });
    const error = row.locator('.prize-form .error');
    await claim.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => error.textContent(), SLOW).toBe('Please fill in: Name, Phone, Address.');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('name');
    await row.getByLabel('Name').fill('王小明');
    await row.getByLabel('Address').fill('   ');
    await claim.press('Enter');
    await expect.poll(() => error.textContent(), SLOW).toBe('Please fill in: Phone, Address.');

    // An address the server refuses (phone too short): said as a sentence, nothing is issued.
    await row.getByLabel('Phone').fill('12');
    await row.getByLabel('Address').fill('1 Road, Shanghai');
    await claim.press('Enter');
    await expect
      .poll(() => error.textContent(), SLOW)
      .toBe(
        'The shipping details were not accepted: check the name, the phone number (at least 3 characters) and the address.',
      );
    expect(await row.getAttribute('data-status')).toBe('awarded');

    await row.getByLabel('Phone').fill('+86 138 0000 0000');
    await claim.press('Enter');
    await expect.poll(() => row.getAttribute('data-status'), SLOW).toBe('claimed');
    expect(await row.locator('.prize-status').textContent()).toBe('Claimed ✓');
    expect(await row.locator('.prize-issued').textContent()).toBe(
      'Issued: a coupon (claim no. 1), ready in your coupons.',
    );
    expect(await row.locator('.prize-form').isHidden()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('prize-status');
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-prize-claimed.png'), fullPage: true });

    // The ledger agrees, and a reload lists the claimed prize from `lottery:prizes`.
    const token = await page.evaluate(
      () => (JSON.parse(localStorage.getItem('lc.session')!) as { token: string }).token,
    );
    const mine = await http<{ prizes: MyPrize[] }>(s, 'GET', '/api/me/prizes', undefined, token);
    expect(mine.body.prizes.map((p) => [p.lotteryId, p.status, p.issued?.couponClaimNo])).toEqual([
      [lotteryId, 'claimed', 1],
    ]);
    await page.reload();
    await expect.poll(() => page.locator('#prize-list li').getAttribute('data-status'), SLOW).toBe('claimed');
    expect(await page.locator('#prize-list .prize-issued').textContent()).toMatch(/^Issued: a coupon/);
    await page.getByLabel('Language').selectOption('zh-CN');
    expect(await page.locator('#prizes-heading').textContent()).toBe('我的奖品');
    expect(await page.locator('#prize-list .prize-status').textContent()).toBe('已领取 ✓');
    hostC.close();
    await page.context().close();
  }, 90_000);

  it('a product prize: entered with the button, claimed with an address, shows the free prize order', async () => {
    const { host, liveId } = await hostWithLive(s);
    const product = await addProduct(s, host.token, liveId, { title: 'Tea set' });
    const hostC = await joinAs(s, host, liveId);
    const page = await viewer(liveId, 'gift');
    const created = await call<{ lottery: Lottery }>(hostC.socket, 'lottery:create', {
      liveId,
      title: 'Tea set draw',
      prize: { kind: 'product', productId: product.id },
      winners: 1,
      durationSec: 600,
    });
    if (!created.ok) throw new Error(created.error.code);
    const lotteryId = created.data.lottery.id;
    await page.locator('#lottery-open').click();
    await page.getByRole('button', { name: 'Enter the lottery' }).press('Enter');
    await expect.poll(() => page.locator('#lottery-status').getAttribute('data-me'), SLOW).toBe('entered');
    const drawn = await call<{ lottery: Lottery }>(hostC.socket, 'lottery:draw', { liveId, lotteryId });
    if (!drawn.ok) throw new Error(drawn.error.code);
    expect((await http(s, 'POST', `/api/lives/${liveId}/end`, undefined, host.token)).status).toBe(200);

    const row = page.locator(`#prize-list li[data-lottery-id="${lotteryId}"]`);
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 15_000 }).toBe('awarded');
    expect(await row.locator('.prize-what').textContent()).toBe('Prize: a product, free of charge');
    await row.getByLabel('Name').fill('Li Lei');
    await row.getByLabel('Phone').fill('13800000000');
    await row.getByLabel('Address').fill('2 Street, Hangzhou');
    await row.getByRole('button', { name: 'Claim prize' }).press('Enter');
    await expect.poll(() => row.getAttribute('data-status'), SLOW).toBe('claimed');
    const token = await page.evaluate(
      () => (JSON.parse(localStorage.getItem('lc.session')!) as { token: string }).token,
    );
    const mine = await http<{ prizes: MyPrize[] }>(s, 'GET', '/api/me/prizes', undefined, token);
    const orderId = mine.body.prizes[0]?.issued?.orderId;
    expect(orderId).toBeTruthy();
    expect(await row.locator('.prize-issued').textContent()).toBe(
      `Issued: a free prize order (${orderId}); it ships to your address.`,
    );
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-prize-order.png'), fullPage: true });
    hostC.close();
    await page.context().close();
  }, 90_000);
});
