import type { AuctionHammerEvent } from '@lc/contracts/auction.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auctionLive, joinAs, ofType } from '../test/auctions';
import { type ClientApp, openTab, startClientApp, viewerPage } from '../test/browser/client-app';
import type { TestServer } from '../test/server';

/** Server round-trips on a shared 2-core box: patient polls (they still fail when the page never gets there). */
const SLOW = { timeout: 15_000 };

describe('auction in Chromium', () => {
  let s: TestServer;
  let app: ClientApp | undefined;
  beforeAll(async () => {
    app = await startClientApp({ name: 'auction', worker: true });
    ({ s } = app);
  });
  afterAll(() => app?.close());

  it('two viewers bid against each other, the host sees the hammer and the winner pays', async () => {
    const { host, liveId } = await auctionLive(s, { title: '<i>Vase</i> 青花' });
    const hostRoom = await joinAs(s, host, liveId);
    const [x, y] = await Promise.all([viewerPage(app!, liveId, 'xavier'), viewerPage(app!, liveId, 'yan')]);
    // The host opens the auction from the studio.
    const studio = await (
      await app!.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } })
    ).newPage();
    await studio.goto(`${s.url}/host.html`);
    await studio.getByLabel('Username').fill(host.user.displayName);
    await studio.getByLabel('Password').fill('correct horse');
    await studio.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => studio.getByLabel('New live title').isVisible(), SLOW).toBe(true);
    await studio.goto(`${s.url}/host.html?live=${liveId}`);
    await expect.poll(() => studio.locator('#status').textContent(), SLOW).toBe('live');
    await openTab(studio, 'Products & sales');
    await expect.poll(() => studio.locator('#mech-product option').count(), SLOW).toBe(1);
    await studio.getByLabel('Start price').fill('10');
    await studio.getByLabel('Duration (s)').fill('8');
    await studio.getByRole('button', { name: 'Open an auction' }).click();
    await expect
      .poll(() => ofType<{ auction: { id: string } }>(hostRoom.events, 'auction:started').length, SLOW)
      .toBe(1);
    const a = ofType<{ auction: { id: string } }>(hostRoom.events, 'auction:started')[0]!.auction;
    for (const page of [x, y]) {
      await page.locator('#shop-open').click();
      await expect.poll(() => page.locator('#auction-title').textContent(), SLOW).toBe('<i>Vase</i> 青花');
      expect(await page.locator('#auction i').count()).toBe(0);
    }
    // x bids the start price; y tops it; x is told and y leads.
    await x.getByLabel('Your bid').fill('10');
    await x.getByRole('button', { name: 'Bid', exact: true }).click();
    await expect.poll(() => y.locator('#auction-price').getAttribute('data-price'), SLOW).toBe('1000');
    await y.getByLabel('Your bid').fill('15');
    await y.getByRole('button', { name: 'Bid', exact: true }).click();
    await expect.poll(() => y.locator('#auction-status').textContent(), SLOW).toContain('You lead');
    await expect.poll(() => x.locator('#auction-status').textContent(), SLOW).toContain('You were outbid');
    // The end passes on the server clock: the host's room gets the hammer, the winner pays.
    await expect
      .poll(() => ofType<AuctionHammerEvent>(hostRoom.events, 'auction:hammer').length, { timeout: 20_000 })
      .toBe(1);
    expect(ofType<AuctionHammerEvent>(hostRoom.events, 'auction:hammer')[0]).toMatchObject({
      auctionId: a.id,
      price: 1500,
      holder: { name: 'yan' },
    });
    await expect
      .poll(() => studio.locator('#mech-log li[data-type="auction:hammer"]').textContent(), SLOW)
      .toContain('Hammer: yan');
    await expect.poll(() => y.locator('#auction-status').textContent(), SLOW).toContain('You won');
    expect(await x.locator('#auction-pay').isHidden()).toBe(true);
    await y.getByRole('button', { name: /^Pay / }).click();
    await expect.poll(() => y.locator('#auction-status').textContent(), SLOW).toBe('Paid — it is yours.');
    await expect.poll(() => x.locator('#auction').getAttribute('data-status'), SLOW).toBe('sold');
    hostRoom.close();
  }, 120_000);
});
