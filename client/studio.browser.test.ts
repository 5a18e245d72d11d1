import { join } from 'node:path';
import type { LotteryAudit } from '@lc/contracts/lottery.schema';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS } from '../test/browser/chromium';
import { type ClientApp, nameGuest, openLive, openTab, startClientApp } from '../test/browser/client-app';
import { guests, pay, reserve } from '../test/commerce';
import { call, guestOn, joinAs, type RoomClient } from '../test/interaction';
import { http, type TestServer } from '../test/server';
import { missingKeys } from './src/studio/strings';

describe('host studio in Chromium', () => {
  let s: TestServer;
  let browser: Browser;
  let app: ClientApp | undefined;
  let host: Page;
  let liveId: string;
  const viewers: RoomClient[] = [];
  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });

  beforeAll(async () => {
    // The job worker writes the post-live report.
    app = await startClientApp({ name: 'studio', worker: true });
    ({ s, browser } = app);
  });

  afterAll(async () => {
    for (const v of viewers) v.close();
    await app?.close();
  });

  it('registers, creates a live and goes live from the studio', async () => {
    host = await (
      await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } })
    ).newPage();
    await host.goto(`${s.url}/host.html`);
    await host.getByLabel('Username').fill('studio_owner');
    await host.getByLabel('Password').fill('correct horse battery');
    await host.getByLabel('Display name (to register)').fill('店主 Studio');
    await host.getByRole('button', { name: 'Register' }).click();
    await host.getByLabel('New live title').fill('Studio test 工作台');
    await host.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => host.locator('#status').textContent(), { timeout: 10_000 }).toBe('scheduled');
    await host.getByRole('button', { name: 'Go live' }).click();
    await expect.poll(() => host.locator('#status').textContent()).toBe('live');
    liveId = new URL(host.url()).searchParams.get('live')!;
    for (const name of ['小明', 'Bob', 'Chen 陈'])
      viewers.push(await joinAs(s, await guestOn(s, name), liveId));
  });

  it('has every studio string in both languages', () => {
    expect(missingKeys()).toEqual([]);
  });

  it("shows a viewer's comment as text; the host deletes it from the studio and it disappears on a viewer page", async () => {
    const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
    await nameGuest(page, s.url, 'page viewer');
    await openLive(page, s.url, liveId);
    await expect.poll(() => host.locator('#online').textContent(), { timeout: 5000 }).toBe('5');

    const text = '<img src=x onerror="window.__pwned=1"> 这件多少钱 price?';
    const sent = await call<{ comment: { id: string } }>(viewers[0]!.socket, 'comment:send', {
      liveId,
      text,
    });
    expect(sent.ok).toBe(true);
    const row = host.locator('#chat li', { hasText: '这件多少钱' });
    await expect.poll(() => row.count(), { timeout: 5000 }).toBe(1);
    expect(await row.locator('.text').textContent()).toBe(text);
    expect(await host.locator('#chat img').count()).toBe(0);
    await expect.poll(() => page.getByText('这件多少钱').count(), { timeout: 5000 }).toBeGreaterThan(0);
    await openTab(host, 'Engagement');
    await shot(host, 'studio-comment.png');

    await row.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => row.count(), { timeout: 5000 }).toBe(0);
    await expect.poll(() => page.getByText('这件多少钱').count(), { timeout: 5000 }).toBe(0);
    expect(await host.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // The deletion is in the audit log the studio loads.
    await openTab(host, 'Moderation');
    await host.getByRole('button', { name: 'Load audit log' }).click();
    await expect
      .poll(() => host.locator('#mod-audit td[data-action="delete"]', { hasText: 'deleted comment' }).count())
      .toBe(1);
    await page.close();
  });

  it("an appointed moderator's studio hides host-only panels and deletes a comment everywhere", async () => {
    const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
    await nameGuest(page, s.url, 'page viewer 2');
    await openLive(page, s.url, liveId);

    const mod = await (await browser.newContext({ locale: 'en-US' })).newPage();
    await mod.goto(`${s.url}/host.html`);
    await mod.getByLabel('Username').fill('studio_mod');
    await mod.getByLabel('Password').fill('correct horse battery');
    await mod.getByRole('button', { name: 'Register' }).click();
    await mod.getByLabel('New live title').waitFor();
    const modId = await mod.evaluate(() => JSON.parse(localStorage.getItem('lc.session')!).user.id as string);
    await openTab(host, 'Moderation');
    await host.locator('#mod-user').fill(modId);
    await host.getByRole('button', { name: 'Appoint moderator' }).click();
    await expect.poll(() => host.locator('#moderators li').getAttribute('data-user-id')).toBe(modId);

    await mod.goto(`${s.url}/host.html?live=${liveId}`);
    await expect.poll(() => mod.evaluate(() => document.body.dataset.role)).toBe('moderator');
    // Host-only tabs are not offered at all (so their panels can't be shown); the moderator's tabs are.
    expect(await mod.getByRole('tab').allTextContents()).toEqual(['Live', 'Engagement', 'Moderation']);
    expect(await mod.locator('#products-panel').isVisible()).toBe(false);
    expect(await mod.getByRole('button', { name: 'Go live' }).count()).toBe(0);
    await openTab(mod, 'Engagement');
    expect(await mod.locator('#chat-panel').isVisible()).toBe(true);
    expect(await mod.locator('#polls-panel').isVisible()).toBe(false);

    const text = 'buy followers 刷粉 cheap';
    expect((await call(viewers[2]!.socket, 'comment:send', { liveId, text })).ok).toBe(true);
    const row = (p: Page) => p.locator('#chat li', { hasText: '刷粉' });
    await expect.poll(() => row(mod).count(), { timeout: 5000 }).toBe(1);
    await expect.poll(() => page.getByText('刷粉').count(), { timeout: 5000 }).toBeGreaterThan(0);
    await row(mod).getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => row(mod).count(), { timeout: 5000 }).toBe(0);
    await expect.poll(() => row(host).count(), { timeout: 5000 }).toBe(0);
    await expect.poll(() => page.getByText('刷粉').count(), { timeout: 5000 }).toBe(0);
    await shot(mod, 'studio-moderator.png');
    await host
      .locator(`#moderators li[data-user-id="${modId}"]`)
      .getByRole('button', { name: 'Revoke moderator' })
      .click();
    await expect.poll(() => mod.evaluate(() => document.body.dataset.role), { timeout: 5000 }).toBe('viewer');
    await mod.close();
    await page.close();
  });

  it('pins an announcement to the room and unpins it', async () => {
    await host.getByLabel('Announcement').fill('今晚 8 点秒杀 <b>!</b>');
    await host.getByRole('button', { name: 'Pin to the room' }).click();
    await expect
      .poll(() => viewers[0]!.ofType<{ text: string }>('announcement:pinned').at(-1)?.text)
      .toBe('今晚 8 点秒杀 <b>!</b>');
    // NOTE: the field clears on the host's ack, which may land after a viewer already has the room event.
    await expect.poll(() => host.getByLabel('Announcement').inputValue()).toBe('');
    await host.getByRole('button', { name: 'Unpin', exact: true }).click();
    await expect.poll(() => viewers[0]!.ofType('announcement:unpinned').length).toBe(1);
  });

  it("raises the studio's like count when a viewer taps", async () => {
    const before = Number(await host.locator('#likes').textContent());
    const tap = await call<{ accepted: number }>(viewers[1]!.socket, 'like:tap', { liveId, count: 7 });
    expect(tap.ok && tap.data.accepted).toBe(7);
    await expect.poll(() => host.locator('#likes').textContent(), { timeout: 8000 }).toBe(String(before + 7));
    await expect
      .poll(async () => Number(await host.locator('#likes-rate').textContent()))
      .toBeGreaterThanOrEqual(7);
  });

  it('adds and pins a product, schedules a flash sale, and shows its countdown and stock falling as viewers buy', async () => {
    await openTab(host, 'Products & sales');
    await host.locator('#product-title').fill('龙井 Tea <b>x</b>');
    await host.locator('#product-price').fill('99');
    await host.locator('#product-stock').fill('20');
    await host.getByRole('button', { name: 'Add product' }).click();
    const product = host.locator('#products li', { hasText: '龙井 Tea <b>x</b>' });
    await expect.poll(() => product.count(), { timeout: 5000 }).toBe(1);
    // Pin by keyboard: focus the button and press Enter.
    await product.getByRole('button', { name: 'Pin' }).focus();
    await host.keyboard.press('Enter');
    await expect.poll(() => product.getAttribute('class')).toBe('pinned');
    const productId = (await product.getAttribute('data-product-id'))!;
    await expect
      .poll(() => viewers[0]!.ofType<{ productId: string }>('product:pinned').at(-1)?.productId)
      .toBe(productId);

    // Views and clicks reported by a viewer show on the product after a refresh.
    expect(
      (await call(viewers[0]!.socket, 'product:impressions', { liveId, productIds: [productId] })).ok,
    ).toBe(true);
    expect((await call(viewers[0]!.socket, 'product:click', { liveId, productId })).ok).toBe(true);
    await host.getByRole('button', { name: 'Refresh views and clicks' }).click();
    await expect
      .poll(() => product.locator('.product-stats').textContent())
      .toContain('seen by 1 · clicked by 1 · CTR 100.0%');

    await host.locator('#sale-product').selectOption(productId);
    await host.locator('#sale-price').fill('49');
    await host.locator('#sale-units').fill('5');
    await host.locator('#sale-limit').fill('1');
    await host.locator('#sale-opens-in').fill('8');
    await host.locator('#sale-duration').fill('120');
    await host.getByRole('button', { name: 'Schedule sale' }).click();
    const sale = host.locator('#sales li').first();
    await expect.poll(() => sale.count(), { timeout: 5000 }).toBe(1);
    const saleId = (await sale.getAttribute('data-sale-id'))!;
    // The countdown runs before the sale opens, on the server clock.
    await expect.poll(() => sale.locator('.countdown').textContent()).toMatch(/^opens in 0:0[1-8]$/);
    expect(await sale.getAttribute('data-phase')).toBe('countdown');
    await shot(host, 'studio-sale-countdown.png');
    await expect.poll(() => sale.getAttribute('data-phase'), { timeout: 10_000 }).toBe('open');
    expect(await sale.locator('.countdown').textContent()).toMatch(/^closes in [12]:\d\d$/);

    const buyers = await guests(s, 3);
    for (const b of buyers) {
      const r = await reserve(s, b.token, liveId, saleId);
      expect(r.status).toBe(201);
      expect((await pay(s, b.token, liveId, r.body.id)).status).toBe(202);
    }
    await expect.poll(() => sale.getAttribute('data-remaining'), { timeout: 10_000 }).toBe('2');
    await expect.poll(() => sale.getAttribute('data-sold'), { timeout: 10_000 }).toBe('3');
    expect(await sale.locator('.stock').textContent()).toBe('left 2 · held 0 · sold 3 of 5');
    await expect.poll(() => host.locator('#units-sold').textContent()).toBe('3');
    await expect.poll(() => host.locator('#gmv').textContent()).toBe('147.00 CNY');
    await shot(host, 'studio-sale-stock.png');

    // Two more buyers take the last units: the studio says the sale is sold out.
    for (const b of await guests(s, 2)) {
      const r = await reserve(s, b.token, liveId, saleId);
      expect(r.status).toBe(201);
      expect((await pay(s, b.token, liveId, r.body.id)).status).toBe(202);
    }
    await expect.poll(() => sale.getAttribute('data-sold'), { timeout: 10_000 }).toBe('5');
    await expect.poll(() => sale.locator('.phase').textContent()).toBe('Sold out');
    await expect.poll(() => host.locator('#gmv').textContent()).toBe('245.00 CNY');
  });

  it('creates a percent-off coupon and shows its claims', async () => {
    await openTab(host, 'Products & sales');
    await host.locator('#coupon-title').fill('新人券 <i>10%</i>');
    await host.locator('#coupon-kind').selectOption('percent_off');
    await host.locator('#coupon-percent').fill('10');
    await host.locator('#coupon-max').fill('20');
    await host.locator('#coupon-quota').fill('50');
    await host.getByRole('button', { name: 'Create coupon' }).click();
    const coupon = host.locator('#coupons li', { hasText: '新人券 <i>10%</i>' });
    await expect.poll(() => coupon.count(), { timeout: 5000 }).toBe(1);
    expect(await coupon.textContent()).toContain('10% off, at most 20.00 CNY · claimed 0/50');
    const couponId = (await coupon.getAttribute('data-coupon-id'))!;
    await expect
      .poll(() => viewers[0]!.ofType<{ coupon: { id: string } }>('coupon:created').at(-1)?.coupon.id)
      .toBe(couponId);
    const claim = await call(viewers[0]!.socket, 'coupon:claim', { liveId, couponId });
    expect(claim.ok).toBe(true);
    await host.getByRole('button', { name: 'Refresh claims' }).click();
    await expect.poll(() => coupon.textContent()).toContain('claimed 1/50');
  });

  it('sets a like goal that unlocks a coupon when viewers reach it', async () => {
    const likes = Number(await host.locator('#likes').textContent());
    await openTab(host, 'Engagement');
    await host.locator('#goal-threshold').fill(String(likes + 5));
    await host.locator('#goal-label').fill('解锁 5 折券');
    await host.getByRole('button', { name: 'Add goal' }).click();
    const goal = host.locator('#goals li', { hasText: '解锁 5 折券' });
    await expect.poll(() => goal.getAttribute('data-reached'), { timeout: 5000 }).toBe('false');
    const goalId = (await goal.getAttribute('data-goal-id'))!;

    await openTab(host, 'Products & sales');
    await host.locator('#coupon-title').fill('Goal coupon');
    await host.locator('#coupon-kind').selectOption('amount_off');
    await host.locator('#coupon-amount').fill('5');
    await host.locator('#coupon-min').fill('50');
    await host.locator('#coupon-goal').selectOption(goalId);
    await host.getByRole('button', { name: 'Create coupon' }).click();
    const coupon = host.locator('#coupons li', { hasText: 'Goal coupon' });
    await expect.poll(() => coupon.textContent(), { timeout: 5000 }).toContain('locked until a like goal');
    expect(await coupon.textContent()).toContain('5.00 CNY off orders from 50.00 CNY');

    expect((await call(viewers[2]!.socket, 'like:tap', { liveId, count: 5 })).ok).toBe(true);
    await expect.poll(() => goal.getAttribute('data-reached'), { timeout: 8000 }).toBe('true');
    await expect.poll(() => coupon.textContent(), { timeout: 5000 }).not.toContain('locked');
  });

  it('creates a keyword lottery, counts keyword comments as entries, draws, and links the audit', async () => {
    await openTab(host, 'Lottery');
    await host.locator('#lottery-title').fill('Tea giveaway 抽奖');
    await host.locator('#lottery-prize-kind').selectOption('product');
    await host.locator('#lottery-winners').fill('2');
    await host.locator('#lottery-duration').fill('120');
    await host.locator('#lottery-keyword').fill('抽我');
    await host.getByRole('button', { name: 'Start lottery' }).click();
    await expect
      .poll(() => host.locator('#lottery-current').textContent())
      .toContain('comment “抽我” to enter');
    expect(await host.locator('#lottery-countdown').textContent()).toMatch(/^Entry closes in [12]:\d\d$/);

    for (const v of viewers) {
      const r = await call(v.socket, 'comment:send', {
        liveId,
        text: `我要 抽我 ${v.auth.user.displayName}`,
      });
      expect(r.ok).toBe(true);
    }
    await expect.poll(() => host.locator('#lottery-entrants').textContent(), { timeout: 8000 }).toBe('3');

    await host.getByRole('button', { name: 'Draw now' }).click();
    const winners = host.locator('#lottery-winners li');
    await expect.poll(() => winners.count(), { timeout: 5000 }).toBe(2);
    const names = viewers.map((v) => v.auth.user.displayName);
    for (const w of await winners.allTextContents()) expect(names).toContain(w);

    const lotteryId = viewers[0]!.ofType<{ lottery: { id: string } }>('lottery:created').at(-1)!.lottery.id;
    const verify = new URL((await host.locator('#lottery-verify').getAttribute('href'))!, s.url);
    expect(verify.pathname).toBe('/verify.html');
    expect(verify.searchParams.get('live')).toBe(liveId);
    expect(verify.searchParams.get('lottery')).toBe(lotteryId);
    const auditHref = (await host.locator('#lottery-audit').getAttribute('href'))!;
    expect(auditHref).toBe(`/api/lives/${liveId}/lotteries/${lotteryId}/audit`);
    const audit = await http<LotteryAudit>(s, 'GET', auditHref);
    expect(audit.status).toBe(200);
    const shown = await winners.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-user-id')));
    expect(shown).toEqual(audit.body.winners);
    expect(audit.body.entrants).toHaveLength(3);
    await shot(host, 'studio-lottery-drawn.png');
  });

  it('runs Q&A (sort, answer, pin) and a poll with live tallies from the studio', async () => {
    await openTab(host, 'Engagement');
    const asks = ['Does it ship to 上海?', 'Is it organic?'];
    for (const [i, text] of asks.entries()) {
      expect((await call(viewers[i]!.socket, 'qa:ask', { liveId, text })).ok).toBe(true);
    }
    const questions = host.locator('#questions li');
    await expect.poll(() => questions.count(), { timeout: 5000 }).toBe(2);
    const organic = host.locator('#questions li', { hasText: 'Is it organic?' });
    const qid = (await organic.getAttribute('data-question-id'))!;
    for (const v of viewers)
      expect((await call(v.socket, 'qa:vote', { liveId, questionId: qid })).ok).toBe(true);
    // Sorted by votes, the upvoted question comes first; by time, the newest (the same one here) too.
    await expect.poll(() => questions.first().getAttribute('data-question-id'), { timeout: 5000 }).toBe(qid);
    await host.locator('#qa-sort').selectOption('time');
    expect(await questions.first().getAttribute('data-question-id')).toBe(qid);
    await organic.getByRole('button', { name: 'Mark answered' }).click();
    await expect.poll(() => organic.getAttribute('data-status')).toBe('answered');
    const ship = host.locator('#questions li', { hasText: 'ship' });
    await ship.getByRole('button', { name: 'Pin question' }).click();
    await expect.poll(() => questions.first().textContent()).toContain('ship');

    await host.locator('#poll-question').fill('Which colour? 颜色');
    await host.locator('#poll-options').fill('Green 绿\nRed 红\n');
    await host.getByRole('button', { name: 'Open poll' }).click();
    await expect.poll(() => host.locator('#poll-tallies li').count(), { timeout: 5000 }).toBe(2);
    const pollId = viewers[0]!.ofType<{ id: string }>('poll:opened').at(-1)?.id;
    expect(pollId).toBeTruthy();
    // Keyboard: the focus stays on Close poll while the tallies re-render it.
    await host.locator('#poll-close').focus();
    for (const [i, v] of viewers.entries()) {
      expect((await call(v.socket, 'poll:vote', { liveId, pollId, option: i === 0 ? 1 : 0 })).ok).toBe(true);
    }
    await expect
      .poll(() => host.locator('#poll-current').textContent(), { timeout: 5000 })
      .toContain('3 votes');
    expect(await host.locator('#poll-tallies li[data-option="0"]').textContent()).toMatch(/ 2$/);
    expect(await host.evaluate(() => document.activeElement?.id)).toBe('poll-close');
    await host.keyboard.press('Enter');
    await expect.poll(() => host.locator('#poll-current').textContent()).toContain('closed');
    await shot(host, 'studio-qa-poll.png');
  });

  it('mutes and lifts, shadow-bans and bans a viewer from the studio', async () => {
    const troll = await joinAs(s, await guestOn(s, 'troll 捣乱'), liveId);
    const say = async (text: string) => {
      const r = await call(troll.socket, 'comment:send', { liveId, text });
      return r.ok ? 'ok' : r.error.code;
    };
    expect(await say('first 第一')).toBe('ok');
    const row = host.locator(`#chat li[data-user-id="${troll.auth.user.id}"]`).first();
    await expect.poll(() => row.count(), { timeout: 5000 }).toBe(1);
    await openTab(host, 'Engagement');

    await host.locator('#mute-for').selectOption('60');
    await row.getByRole('button', { name: 'Mute', exact: true }).click();
    await expect.poll(() => say('muted? 禁言'), { interval: 300 }).toBe('MUTED');
    await openTab(host, 'Moderation');
    await host.locator('#mod-user').fill(troll.auth.user.id);
    await host.getByRole('button', { name: 'Lift mute' }).click();
    await expect.poll(() => say('back again 回来了'), { interval: 300 }).toBe('ok');
    await openTab(host, 'Engagement');

    // Shadow-banned: the ack says published, but nobody else sees it (a later comment arrives, this one never).
    await row.getByRole('button', { name: 'Shadow-ban' }).click();
    expect(await say('only I see this 影子')).toBe('ok');
    expect(
      (await call(viewers[1]!.socket, 'comment:send', { liveId, text: 'after the shadow 之后' })).ok,
    ).toBe(true);
    await expect
      .poll(() => host.locator('#chat li', { hasText: 'after the shadow' }).count(), { timeout: 5000 })
      .toBe(1);
    expect(await host.locator('#chat li', { hasText: 'only I see this' }).count()).toBe(0);
    expect(viewers[0]!.events.some((e) => JSON.stringify(e.data).includes('only I see this'))).toBe(false);

    await row.getByRole('button', { name: 'Ban', exact: true }).click();
    await expect.poll(() => (troll.facts.get('room:closed') ?? []).length, { timeout: 5000 }).toBe(1);
    await openTab(host, 'Moderation');
    await host.getByRole('button', { name: 'Load audit log' }).click();
    for (const action of ['mute', 'unmute', 'shadow', 'ban']) {
      await expect
        .poll(() => host.locator(`#mod-audit td[data-action="${action}"]`).count())
        .toBeGreaterThan(0);
    }
    troll.close();
  });

  it('holds comments for review by keyword list, applies chat settings and appoints a moderator who can delete', async () => {
    await openTab(host, 'Moderation');
    await host.locator('#kw-name').fill('review');
    await host.locator('#kw-action').selectOption('hold');
    await host.locator('#kw-terms').fill('加微信\n');
    await host.getByRole('button', { name: 'Save list' }).click();
    await expect.poll(() => host.locator('#keyword-lists li[data-list="review"]').count()).toBe(1);
    const held = await call<{ status: string }>(viewers[2]!.socket, 'comment:send', {
      liveId,
      text: '加微信 找我',
    });
    expect(held.ok && held.data.status).toBe('held');
    const queued = host.locator('#held li', { hasText: '加微信' });
    await expect.poll(() => queued.count(), { timeout: 5000 }).toBe(1);
    await openTab(host, 'Engagement');
    await queued.getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(() => host.locator('#chat li', { hasText: '加微信' }).count(), { timeout: 5000 })
      .toBe(1);
    expect(await host.locator('#held li').count()).toBe(0);

    // Bob becomes a moderator from his comment's row; as a moderator he deletes 小明's comment everywhere.
    const bob = viewers[1]!;
    const said = await call<{ comment: { id: string } }>(viewers[0]!.socket, 'comment:send', {
      liveId,
      text: 'spam spam 垃圾',
    });
    expect(said.ok).toBe(true);
    const bobRow = host.locator('#chat li', { hasText: 'Bob' }).first();
    await bobRow.getByRole('button', { name: 'Make moderator' }).click();
    await expect.poll(() => host.locator('#moderators li').textContent()).toContain('Bob');
    await expect.poll(() => (bob.facts.get('room:role') ?? []).length).toBe(1);
    const spam = host.locator('#chat li', { hasText: 'spam spam' });
    await expect.poll(() => spam.count()).toBe(1);
    const id = said.ok ? said.data.comment.id : '';
    expect((await call(bob.socket, 'comment:delete', { liveId, commentId: id })).ok).toBe(true);
    await expect.poll(() => spam.count(), { timeout: 5000 }).toBe(0);
    // Slow mode last: later comments from these viewers would wait for it.
    await openTab(host, 'Moderation');
    await host.locator('#slow-mode').fill('30');
    await host.getByRole('button', { name: 'Apply settings' }).click();
    await expect
      .poll(() => viewers[0]!.ofType<{ slowModeSec: number }>('chat:settings').at(-1)?.slowModeSec)
      .toBe(30);

    await shot(host, 'studio-moderation.png');
  });

  it('shows a reconnect banner when its socket drops and catches up without a reload', async () => {
    await host.evaluate(() => {
      (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });
    const engine = s.built.io.engine as unknown as {
      opts: { allowRequest?: (req: unknown, cb: (err: string | null, ok: boolean) => void) => void };
    };
    const allow = engine.opts.allowRequest;
    engine.opts.allowRequest = (_req, cb) => cb('outage', false);
    const hostId = await host.evaluate(
      () => JSON.parse(localStorage.getItem('lc.session')!).user.id as string,
    );
    const sockets = [...s.built.io.of('/').sockets.values()].filter(
      (x) => (x.data as { user?: { sub: string } }).user?.sub === hostId,
    );
    expect(sockets.length).toBe(1);
    sockets[0]!.conn.close();
    await expect.poll(() => host.locator('#conn').getAttribute('data-state')).toBe('reconnecting');

    // Said while the studio is away (by Bob, a moderator now, so slow mode doesn't hold him): it arrives through the rejoin.
    const said = await call(viewers[1]!.socket, 'comment:send', {
      liveId,
      text: 'while you were away 离线时',
    });
    expect(said.ok).toBe(true);
    engine.opts.allowRequest = allow;
    await expect
      .poll(() => host.locator('#conn').getAttribute('data-state'), { timeout: 15_000 })
      .toBe('online');
    await expect
      .poll(() => host.locator('#chat li', { hasText: '离线时' }).count(), { timeout: 5000 })
      .toBe(1);
    expect(
      await host.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument),
    ).toBe(true);
  });

  it('gives every control an accessible name and keeps them reachable by keyboard, on every tab', async () => {
    const tabs = await host.getByRole('tab').allTextContents();
    expect(tabs).toEqual(['Live', 'Products & sales', 'Engagement', 'Lottery', 'Moderation', 'Report']);
    for (const name of tabs) {
      await openTab(host, name);
      const unnamed = await host.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('#room input, #room select, #room textarea, #room button')]
          .filter((c) => c.offsetParent !== null)
          .filter((c) => {
            const labelled = (c as HTMLInputElement).labels?.length || c.getAttribute('aria-label');
            return !(labelled || (c.tagName === 'BUTTON' && c.textContent?.trim()));
          })
          .map((c) => c.id || c.outerHTML.slice(0, 80)),
      );
      expect(unnamed, name).toEqual([]);
      const unreachable = await host.evaluate(
        () =>
          [
            ...document.querySelectorAll<HTMLElement>(
              '#room input, #room select, #room textarea, #room button, #room a',
            ),
          ].filter((c) => c.offsetParent !== null && c.tabIndex < 0).length,
      );
      expect(unreachable, name).toBe(0);
    }
    // The names other browser tests find the studio's controls by stay unambiguous (playwright matches substrings).
    for (const name of ['Post', 'Go live', 'End live']) {
      expect(await host.getByRole('button', { name }).count(), name).toBe(1);
    }
    expect(await host.getByLabel('Announcement').count()).toBe(1);
  });

  it('relabels the studio in zh-CN and back', async () => {
    await openTab(host, 'Products & sales');
    await host.locator('#lang').selectOption('zh-CN');
    await expect.poll(() => host.locator('#start').textContent()).toBe('开播');
    expect(await host.getByRole('button', { name: '结束直播' }).count()).toBe(1);
    expect(await host.locator('#products-panel-title').textContent()).toBe('商品');
    expect(await host.locator('#lottery-draw').textContent()).toBe('立即开奖');
    expect(await host.locator('#sales li .phase').first().textContent()).toBe('已售罄');
    expect(await host.getByLabel('秒杀价').count()).toBe(1);
    expect(await host.locator('#sales li .stock').first().textContent()).toBe('剩余 0 · 锁定 0 · 已售 5 / 5');
    expect(await host.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    expect(await host.title()).toBe('主播工作台');
    // Labels follow the language too: the form controls keep an accessible name.
    expect(await host.getByLabel('公告').count()).toBe(1);
    await shot(host, 'studio-zh-CN.png');
    // No control, heading, tab or label is left in English on any tab (user content, codes and units aside).
    for (const name of ['数据', '商品和秒杀', '互动', '抽奖', '管理', '报告']) {
      await openTab(host, name);
      const english = await host.evaluate(() =>
        [
          ...document.querySelectorAll<HTMLElement>(
            '#room label, #room button, #room h2, #room h3, #room th, #room legend, [role="tab"], #room figcaption, .studio-header dt, .studio-header button',
          ),
        ]
          .filter((n) => n.offsetParent !== null)
          .map((n) => n.textContent!.replace(/GMV|CTR|CNY|JSON|ID|sha256|seed|\(K\)/g, ''))
          .filter((t) => /[A-Za-z]{3,}/.test(t)),
      );
      expect(english, name).toEqual([]);
    }
    await host.locator('#lang').selectOption('en');
    await expect.poll(() => host.locator('#start').textContent()).toBe('Go live');
    expect(await host.locator('#lottery-draw').textContent()).toBe('Draw now');
  });

  it('ends the live; the post-live report shows the exact orders, buyers and GMV', async () => {
    await openTab(host, 'Report');
    await host.getByRole('button', { name: 'Show the final report' }).click();
    await expect.poll(() => host.locator('#report-error').textContent()).toContain('NOT_FOUND');
    await host.getByRole('button', { name: 'End live' }).click();
    await expect.poll(() => host.locator('#status').textContent(), { timeout: 5000 }).toBe('ended');
    await expect
      .poll(
        async () => {
          await host.getByRole('button', { name: 'Show the final report' }).click();
          return host.locator('#report dd').count();
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe(8);
    const figures = await host.locator('#report').evaluate((dl) => {
      const out: Record<string, string> = {};
      for (const dt of dl.querySelectorAll('dt')) out[dt.textContent!] = dt.nextElementSibling!.textContent!;
      return out;
    });
    expect(figures).toMatchObject({
      Orders: '5',
      Units: '5',
      Buyers: '5',
      'GMV (after discounts)': '245.00 CNY',
    });
    await shot(host, 'studio-report.png');
  });
});
