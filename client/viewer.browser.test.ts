import { join } from 'node:path';
import type { Coupon } from '@lc/contracts/commerce.schema';
import type { Lottery, LotteryAudit } from '@lc/contracts/lottery.schema';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS } from '../test/browser/chromium';
import { type ClientApp, startClientApp, viewerPage } from '../test/browser/client-app';
import { addProduct, reserve, scheduleSale } from '../test/commerce';
import { joinAs } from '../test/interaction';
import { call, guest, hostWithLive, http, type TestServer } from '../test/server';

describe('viewer app in Chromium', () => {
  let s: TestServer;
  let app: ClientApp | undefined;
  beforeAll(async () => {
    app = await startClientApp({ name: 'viewer' });
    ({ s } = app);
  });
  afterAll(() => app?.close());

  /** A phone-sized viewer page signed in as a guest and joined to the live. */
  const viewer = (liveId: string, name: string) => viewerPage(app!, liveId, name);
  const userId = (page: Page) =>
    page.evaluate(
      () => (JSON.parse(localStorage.getItem('lc.session')!) as { user: { id: string } }).user.id,
    );

  it('flash sale: two viewers count down to the same server deadline; one buys, pays and sees the order; the other sees stock fall, then sold out', async () => {
    const { host, liveId } = await hostWithLive(s);
    const product = await addProduct(s, host.token, liveId, { title: '龙井 Tea <b>gift</b>', stock: 10 });
    const [a, b] = [await viewer(liveId, 'buyer A'), await viewer(liveId, 'buyer B')];
    expect(
      (await http(s, 'PUT', `/api/lives/${liveId}/pinned-product`, { productId: product.id }, host.token))
        .status,
    ).toBe(200);
    for (const page of [a, b]) {
      await expect.poll(() => page.locator('#product-title').textContent()).toBe('龙井 Tea <b>gift</b>');
      expect(await page.locator('#product-title b').count()).toBe(0);
    }

    const sale = await scheduleSale(s, host.token, liveId, product.id, {
      units: 2,
      perUserLimit: 1,
      opensAt: Date.now() + 5000,
      countdownSec: 60,
      durationSec: 300,
    });
    for (const page of [a, b]) {
      const timer = page.locator('#sale-countdown');
      await expect.poll(() => timer.getAttribute('data-phase')).toBe('countdown');
      expect(await timer.getAttribute('data-deadline')).toBe(String(sale.opensAt));
      expect(await timer.textContent()).toMatch(/^Flash sale opens in 0:0\d$/);
      expect(await page.locator('#buy').isDisabled()).toBe(true);
    }
    await a.screenshot({ path: join(ARTIFACTS, 'viewer-sale-countdown-a.png') });
    await b.screenshot({ path: join(ARTIFACTS, 'viewer-sale-countdown-b.png') });

    // At open A taps the docked card and buys in the sheet: reserve → simulated pay → order:paid.
    await expect.poll(() => a.locator('#buy').isEnabled(), { timeout: 10_000 }).toBe(true);
    expect(await a.locator('#sale-countdown').getAttribute('data-deadline')).toBe(String(sale.closesAt));
    await a.locator('#product-dock').click();
    await a.getByRole('button', { name: 'Buy now' }).click();
    await a.getByRole('button', { name: 'Pay (simulated)' }).click();
    await expect
      .poll(() => a.locator('#order').textContent(), { timeout: 10_000 })
      .toMatch(/^Order confirmed: 1 × 龙井 Tea <b>gift<\/b>, paid/);
    await expect.poll(() => b.locator('#sale-stock').getAttribute('data-remaining')).toBe('1');
    expect(await b.locator('#sale-stock').textContent()).toBe('1 of 2 left');
    await a.screenshot({ path: join(ARTIFACTS, 'viewer-sale-order.png') });

    // After a reload the paid reservation from the snapshot brings the order back.
    await a.reload();
    await expect
      .poll(() => a.locator('#order').textContent(), { timeout: 10_000 })
      .toMatch(/^Order confirmed: 1 × /);

    // A second purchase is over the per-user limit, and the page says so (in the sheet and in a toast).
    await a.locator('#product-dock').click();
    await a.getByRole('button', { name: 'Buy now' }).click();
    await expect
      .poll(() => a.locator('#buy-status').textContent())
      .toBe('Purchase limit reached for this item.');
    expect(await a.locator('#toasts .toast[data-kind="error"]').last().textContent()).toBe(
      'Purchase limit reached for this item.',
    );

    // Someone else takes the last unit: B's card says sold out and its button is off.
    const other = await guest(s, 'api buyer');
    expect((await reserve(s, other.token, liveId, sale.id)).status).toBe(201);
    await expect.poll(() => b.locator('#sale-stock').textContent()).toBe('Sold out');
    expect(await b.locator('#toasts .toast', { hasText: 'Sold out: 龙井 Tea <b>gift</b>' }).count()).toBe(1);
    expect(await b.locator('#buy').textContent()).toBe('Sold out');
    expect(await b.locator('#buy').isDisabled()).toBe(true);
    await b.screenshot({ path: join(ARTIFACTS, 'viewer-sale-sold-out.png') });
    await Promise.all([a.context().close(), b.context().close()]);
  });

  it('lottery: viewers enter by keyword comment, the host draws, the winner sees it and the verify page says MATCH', async () => {
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
    const pages = [await viewer(liveId, 'lucky one'), await viewer(liveId, 'lucky two')];
    const created = await call<{ lottery: Lottery }>(hostC.socket, 'lottery:create', {
      liveId,
      title: '锦鲤 Giveaway',
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
    for (const page of pages) {
      await expect.poll(() => page.locator('#lottery-title').textContent()).toBe('锦鲤 Giveaway');
      expect(await page.locator('#lottery-hint').textContent()).toContain('“锦鲤”');
      await page.getByLabel('Comment').fill('我要锦鲤 please');
      await page.getByRole('button', { name: 'Send' }).click();
      await expect.poll(() => page.locator('#lottery-status').getAttribute('data-me')).toBe('sent');
    }
    for (const page of pages) {
      await expect
        .poll(() => page.locator('#lottery-entrants').getAttribute('data-count'), { timeout: 8000 })
        .toBe('2');
    }
    await pages[0]!.screenshot({ path: join(ARTIFACTS, 'viewer-lottery-open.png') });

    const drawn = await call<{ lottery: Lottery }>(hostC.socket, 'lottery:draw', { liveId, lotteryId });
    if (!drawn.ok) throw new Error(drawn.error.code);
    const winnerId = drawn.data.lottery.result!.winners[0];
    const ids = await Promise.all(pages.map(userId));
    expect(ids).toContain(winnerId);
    const winner = pages[ids.indexOf(winnerId!)]!;
    const loser = pages[1 - ids.indexOf(winnerId!)]!;
    await expect.poll(() => winner.locator('#lottery-status').textContent()).toBe('🎉 You won!');
    // runnersUp defaults to the number of winners: the other entrant is next in line.
    await expect
      .poll(() => loser.locator('#lottery-status').textContent())
      .toBe('You are a runner-up: you win if a winner forfeits.');
    await winner.screenshot({ path: join(ARTIFACTS, 'viewer-lottery-won.png') });

    await winner.locator('#lottery-open').click();
    await winner.getByRole('link', { name: 'Verify this draw' }).click();
    await expect
      .poll(() => winner.locator('#verdict').getAttribute('data-state'), { timeout: 10_000 })
      .toBe('match');
    expect(await winner.locator('#verdict').textContent()).toMatch(/^MATCH/);
    expect(await winner.locator('#audit').textContent()).toContain(winnerId);
    await winner.screenshot({ path: join(ARTIFACTS, 'viewer-verify-match.png') });

    // The same page catches a tampered record: the runner-up named as the winner.
    const audit = await http<LotteryAudit>(s, 'GET', `/api/lives/${liveId}/lotteries/${lotteryId}/audit`);
    const forged = { ...audit.body, winners: audit.body.runnersUp, runnersUp: audit.body.winners };
    await winner.getByLabel('Audit record (JSON)').fill(JSON.stringify(forged));
    await winner.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => winner.locator('#verdict').getAttribute('data-state')).toBe('mismatch');
    expect(await winner.locator('#problems').textContent()).toContain('winners differ');
    hostC.close();
    await Promise.all(pages.map((p) => p.context().close()));
  });

  it("killing the viewer's socket shows the reconnect banner; the page resyncs without a reload", async () => {
    const { host, liveId } = await hostWithLive(s);
    const hostC = await joinAs(s, host, liveId);
    const page = await viewer(liveId, 'flaky wifi');
    await page.evaluate(() => {
      (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });
    expect(await page.locator('#reconnect').isHidden()).toBe(true);

    // Server side: refuse new engine handshakes for the outage, then drop the viewer's connection.
    const engine = s.built.io.engine as unknown as {
      opts: { allowRequest?: (req: unknown, cb: (err: string | null, ok: boolean) => void) => void };
    };
    const allow = engine.opts.allowRequest;
    engine.opts.allowRequest = (_req, cb) => cb('outage', false);
    const viewerId = await userId(page);
    const sockets = [...s.built.io.of('/').sockets.values()].filter(
      (x) => (x.data as { user?: { sub: string } }).user?.sub === viewerId,
    );
    expect(sockets.length).toBe(1);
    sockets[0]!.conn.close();
    await expect.poll(() => page.locator('#reconnect').isVisible()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-reconnecting.png') });

    // Posted while the viewer is away: it must arrive through the rejoin's replay.
    const said = await call(hostC.socket, 'live:announce', { liveId, text: 'posted during the outage' });
    expect(said.ok).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(await page.locator('#events li', { hasText: 'posted during the outage' }).count()).toBe(0);
    expect(await page.locator('#reconnect').isVisible()).toBe(true);

    engine.opts.allowRequest = allow;
    await expect.poll(() => page.locator('#reconnect').isHidden(), { timeout: 15_000 }).toBe(true);
    await expect
      .poll(() => page.locator('#events li', { hasText: 'posted during the outage' }).count())
      .toBe(1);
    expect(
      await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument),
    ).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-resynced.png') });
    hostC.close();
    await page.context().close();
  });

  it('coupons, polls and Q&A work from the keyboard: claim, vote with live tallies, ask and upvote', async () => {
    const { host, liveId } = await hostWithLive(s);
    const hostC = await joinAs(s, host, liveId);
    const page = await viewer(liveId, 'keyboard user');

    const coupon = await http<Coupon>(
      s,
      'POST',
      `/api/lives/${liveId}/coupons`,
      { kind: 'percent_off', percentOff: 10, maxDiscount: 2000, title: '9折 off', currency: 'CNY', quota: 5 },
      host.token,
    );
    expect(coupon.status).toBe(201);
    await page.getByRole('button', { name: 'Shop' }).press('Enter');
    const claim = page.getByRole('button', { name: 'Claim: 9折 off' });
    await claim.focus();
    await page.keyboard.press('Enter');
    const claimed = page.locator(`#coupon-list button[data-coupon-id="${coupon.body.id}"]`);
    await expect.poll(() => claimed.textContent()).toBe('Claimed');
    expect(await claimed.isDisabled()).toBe(true);
    await page.keyboard.press('Escape');
    expect(await page.locator('#shop-sheet').isHidden()).toBe(true);

    const poll = await call(hostC.socket, 'poll:create', {
      liveId,
      question: 'Which tea <u>next</u>?',
      options: ['Green 绿茶', 'Black 红茶'],
      durationSec: 60,
    });
    expect(poll.ok).toBe(true);
    const green = page.getByRole('button', { name: 'Vote for “Green 绿茶”' });
    await green.focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('#poll-options li[data-option="0"] .tally').getAttribute('data-votes'))
      .toBe('1');
    expect(await page.locator('#poll-question').textContent()).toBe('Which tea <u>next</u>?');
    expect(await green.isDisabled()).toBe(true);

    await page.getByRole('button', { name: 'Q&A' }).press('Enter');
    await page.getByLabel('Your question').fill('<i>how</i> much?');
    await page.getByLabel('Your question').press('Enter');
    const q = page.locator('#qa-list li', { hasText: '<i>how</i> much?' });
    await expect.poll(() => q.count()).toBe(1);
    expect(await page.locator('#qa-list i').count()).toBe(0);
    await q.getByRole('button').click();
    await expect.poll(() => q.getByRole('button').getAttribute('aria-pressed')).toBe('true');
    expect(await q.getByRole('button').textContent()).toBe('Upvote (1)');
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: '+ Follow' }).press('Enter');
    await expect.poll(() => page.locator('#follow').getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('#followers').textContent()).toBe('1 followers');
    await page.getByRole('button', { name: 'Share' }).click();
    await expect
      .poll(() => page.locator('#share-link a').getAttribute('href'))
      .toMatch(new RegExp(`^${s.url}/\\?live=${liveId}&ref=`));
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-panels.png'), fullPage: true });
    hostC.close();
    await page.context().close();
  });

  it('chat shows staff badges; a viewer appointed moderator deletes a comment everywhere; a banned viewer is told', async () => {
    const { host, liveId } = await hostWithLive(s);
    const hostC = await joinAs(s, host, liveId);
    const [a, b] = [await viewer(liveId, 'talker'), await viewer(liveId, 'helper')];
    const hostSaid = await call(hostC.socket, 'comment:send', { liveId, text: 'welcome 欢迎' });
    expect(hostSaid.ok).toBe(true);
    const welcome = a.locator('#events li', { hasText: 'welcome 欢迎' });
    await expect.poll(() => welcome.locator('.badge-host').textContent()).toBe('Host');

    await a.getByLabel('Comment').fill('rude words');
    await a.getByRole('button', { name: 'Send' }).click();
    const rude = (page: Page) => page.locator('#events li', { hasText: 'rude words' });
    await expect.poll(() => rude(b).count()).toBe(1);
    expect(await b.locator('#events button.delete').count()).toBe(0);

    const appointed = await call(hostC.socket, 'mod:appoint', { liveId, userId: await userId(b) });
    expect(appointed.ok).toBe(true);
    await expect.poll(() => rude(b).getByRole('button', { name: 'Delete' }).count()).toBe(1);
    await rude(b).getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => rude(a).count()).toBe(0);
    await expect.poll(() => rude(b).count()).toBe(0);
    await b.screenshot({ path: join(ARTIFACTS, 'viewer-moderator.png') });

    // A ban closes the room for that viewer: a final notice, not an endless "reconnecting".
    expect((await call(hostC.socket, 'mod:ban', { liveId, userId: await userId(a) })).ok).toBe(true);
    await expect.poll(() => a.locator('#closed').textContent()).toBe('You were removed from this live.');
    await expect.poll(() => a.locator('body').getAttribute('data-conn')).toBe('offline');
    expect(await a.locator('#reconnect').isVisible()).toBe(false);
    hostC.close();
    await Promise.all([a.context().close(), b.context().close()]);
  });

  it('the language switch relabels the page in zh-CN', async () => {
    const { host, liveId } = await hostWithLive(s);
    const product = await addProduct(s, host.token, liveId, { title: 'Tea 龙井' });
    await http(s, 'PUT', `/api/lives/${liveId}/pinned-product`, { productId: product.id }, host.token);
    const page = await viewer(liveId, 'bilingual');
    await expect.poll(() => page.locator('#product-badge').textContent()).toBe('Now explaining');
    await page.getByLabel('Language').selectOption('zh-CN');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await page.getByLabel('评论').count()).toBe(1);
    expect(await page.getByRole('button', { name: '发送' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: '点赞', exact: true }).count()).toBe(1);
    expect(await page.getByLabel('你的问题').count()).toBe(1);
    expect(await page.getByLabel('画质').count()).toBe(1);
    expect(await page.locator('#product-badge').textContent()).toBe('正在讲解');
    expect(await page.locator('#conn').textContent()).toBe('已连接');
    expect(await page.locator('#media-state').textContent()).toMatch(/^(未开始|连接中|失败)/);
    // No sale for this product: the card, opened in its sheet, has no buy button.
    await page.locator('#product-dock').click();
    expect(await page.locator('#shop-sheet').isVisible()).toBe(true);
    expect(await page.locator('#product-title').isVisible()).toBe(true);
    expect(await page.locator('#buy').isVisible()).toBe(false);
    expect(await page.getByLabel('语言').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Send' }).count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-zh-CN.png') });
    await page.context().close();
  });
});
