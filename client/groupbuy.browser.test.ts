import type { GroupBuyOffer } from '@lc/contracts/groupbuy.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientApp, nameGuest, startClientApp, viewerPage } from '../test/browser/client-app';
import { addProduct } from '../test/commerce';
import { joinAs } from '../test/interaction';
import { call, hostWithLive, type TestServer } from '../test/server';

/** Server round-trips on a shared 2-core box: patient polls (they still fail when the page never gets there). */
const SLOW = { timeout: 15_000 };

describe('group buy in Chromium', () => {
  let s: TestServer;
  let app: ClientApp | undefined;
  beforeAll(async () => {
    app = await startClientApp({ name: 'groupbuy', worker: true });
    ({ s } = app);
  });
  afterAll(() => app?.close());

  it('a viewer starts a group and shares it; a second browser joins through the link; both pay and see it filled', async () => {
    const { host, liveId } = await hostWithLive(s);
    const product = await addProduct(s, host.token, liveId, {
      title: '<b>Tea</b> 龙井',
      price: 2000,
      stock: 10,
    });
    const hostC = await joinAs(s, host, liveId);
    const leader = await viewerPage(app!, liveId, 'leader');
    const offered = await call<{ offer: GroupBuyOffer }>(hostC.socket, 'groupbuy:offer', {
      liveId,
      productId: product.id,
      groupPrice: 1500,
      groupSize: 2,
      units: 4,
      limitSec: 600,
    });
    if (!offered.ok) throw new Error(offered.error.code);
    await leader.locator('#shop-open').click();
    // Product text is text, never markup.
    await expect.poll(() => leader.locator('#groupbuy-title').textContent(), SLOW).toBe('<b>Tea</b> 龙井');
    expect(await leader.locator('#groupbuy b').count()).toBe(0);
    await leader.getByRole('button', { name: 'Start a group' }).click();
    await expect.poll(() => leader.locator('#groupbuy-mine').textContent(), SLOW).toBe('Your group: 1 of 2');
    await leader.getByRole('button', { name: 'Share your group' }).click();
    await expect.poll(() => leader.locator('#groupbuy-link').inputValue(), SLOW).toContain('ref=gb.');
    const shared = new URL(await leader.locator('#groupbuy-link').inputValue());

    // A second browser opens the shared link and joins the leader's group from the list.
    const ctx = await app!.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    const friend = await ctx.newPage();
    await nameGuest(friend, s.url, 'friend');
    await friend.goto(`${s.url}/${shared.search}`);
    await expect.poll(() => friend.locator('#status').getAttribute('data-status'), SLOW).toBe('live');
    await friend.locator('#shop-open').click();
    const row = friend.locator(`#groupbuy-groups li[data-group-id="${shared.searchParams.get('group')}"]`);
    await expect.poll(() => row.getAttribute('data-members'), SLOW).toBe('1');
    await row.getByRole('button', { name: /Join leader’s group/ }).click();
    for (const page of [leader, friend]) {
      await expect
        .poll(() => page.locator('#groupbuy-mine').getAttribute('data-outcome'), SLOW)
        .toBe('filled');
      await page.getByRole('button', { name: /^Pay / }).click();
      await expect.poll(() => page.locator('#groupbuy-status').textContent(), SLOW).toBe('Paid.');
    }
    // The friend's join is attributed to the leader.
    const { redis, keys } = s.built.deps;
    const members = await redis.hgetall(keys.groupMembers(liveId, shared.searchParams.get('group')!));
    const via = Object.entries(members).map(([id, m]) => [id, (JSON.parse(m) as { via: string }).via]);
    const leaderId = via.find(([, v]) => v === '')?.[0];
    expect(via.filter(([, v]) => v === leaderId)).toHaveLength(1);
    await ctx.close();
  }, 120_000);
});
