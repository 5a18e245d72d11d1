/**
 * Replay acceptance in Chromium: the host streams the fake camera from the studio for about 20 s, pins a product
 * at about 8 s and ends; the node recorded it (ffmpeg, HLS), the worker chaptered it, the host publishes it, and
 * a second Chromium page plays the replay with hls.js: the video advances with frames, and the "product pinned"
 * chapter seeks to within 2 s of the pin, with the product card and the comment of that moment shown (as text over
 * the video); buying it there creates an order attributed to the replay at the position watched.
 */
import { join } from 'node:path';
import type { Product } from '@lc/contracts/commerce.schema';
import type { Recording } from '@lc/contracts/replay.schema';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS } from '../test/browser/chromium';
import { type ClientApp, startClientApp } from '../test/browser/client-app';
import { addProduct } from '../test/commerce';
import { joined, ok, startMediaServer } from '../test/media';
import { call, http, type TestServer, waitFor } from '../test/server';

const video = (page: Page) =>
  page.locator('#replay-video').evaluate((v: HTMLVideoElement) => ({
    width: v.videoWidth,
    time: v.currentTime,
  }));

describe('replay in Chromium', () => {
  let s: TestServer;
  let browser: Browser;
  let app: ClientApp | undefined;
  beforeAll(async () => {
    app = await startClientApp({
      name: 'replay',
      worker: true,
      start: (env, build) =>
        startMediaServer(
          [47000, 47199],
          {
            ...env,
            RECORDING_ENABLED: 'true',
            RECORDING_RTP_MIN_PORT: '48000',
            RECORDING_RTP_MAX_PORT: '48199',
          },
          build,
        ),
    });
    ({ s, browser } = app);
  }, 120_000);
  afterAll(() => app?.close());

  it('records a 20 s live, chapters the pin, plays the replay with the chapter seeking to the pin, and sells from it', async () => {
    const host = await (await browser.newContext()).newPage();
    await host.goto(`${s.url}/host.html`);
    await host.getByLabel('Username').fill('replay_host');
    await host.getByLabel('Password').fill('correct horse battery');
    await host.getByRole('button', { name: 'Register' }).click();
    await host.getByLabel('New live title').fill('Replay test 回放');
    await host.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => host.locator('#status').textContent(), { timeout: 10_000 }).toBe('scheduled');
    const liveId = new URL(host.url()).searchParams.get('live')!;
    const login = await http<{ token: string }>(s, 'POST', '/api/auth/login', {
      username: 'replay_host',
      password: 'correct horse battery',
    });
    const token = login.body.token;
    const product: Product = await addProduct(s, token, liveId, { title: 'Oolong 乌龙' });

    await host.getByRole('button', { name: 'Go live' }).click();
    await expect
      .poll(() => host.locator('#media-state').getAttribute('data-state'), { timeout: 20_000 })
      .toBe('live');
    const recorder = s.built.use('replayRecorder');
    await waitFor(async () => (await recorder.recorder(liveId))?.ffmpegPid, 15_000, 'recording');
    const hostSocket = await joined(s, token, liveId);
    await new Promise((r) => setTimeout(r, 8000));
    const pinnedAt = Date.now();
    await ok(call(hostSocket, 'product:pin', { liveId, productId: product.id }));
    const said = '<b>Try the oolong</b> 试试';
    await ok(call(hostSocket, 'comment:send', { liveId, text: said }));
    await new Promise((r) => setTimeout(r, 12_000));
    await ok(call(hostSocket, 'live:end', { liveId }));
    hostSocket.close();

    const rec = await waitFor(
      async () => {
        const r = await http<Recording>(s, 'GET', `/api/lives/${liveId}/recording`, undefined, token);
        return r.body.status === 'ended' && r.body.chapters ? r.body : undefined;
      },
      90_000,
      'the recording to end and be chaptered',
    );
    expect(rec.durationMs).toBeGreaterThan(12_000);
    const pin = rec.chapters!.find((c) => c.type === 'product-pinned')!;
    expect(pin.productId).toBe(product.id);
    const expected = pinnedAt - Date.parse(rec.startedAt);
    expect(Math.abs(pin.offsetMs - expected)).toBeLessThan(2000);
    await http(s, 'POST', `/api/lives/${liveId}/recording/publish`, { published: true }, token);

    const viewer = await (await browser.newContext({ locale: 'en-US' })).newPage();
    await viewer.goto(`${s.url}/replay.html?live=${liveId}`);
    await expect
      .poll(() => viewer.locator('#replay-chapters button').count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    await viewer.locator('#replay-video').evaluate((v: HTMLVideoElement) => v.play());
    await expect.poll(async () => (await video(viewer)).width, { timeout: 20_000 }).toBeGreaterThan(0);
    const t0 = (await video(viewer)).time;
    await expect.poll(async () => (await video(viewer)).time, { timeout: 10_000 }).toBeGreaterThan(t0);
    // Before the pin no product is shown; the chapter seeks to the pin and the card follows.
    await viewer.locator('#replay-video').evaluate((v: HTMLVideoElement) => {
      v.currentTime = 1;
    });
    await expect.poll(() => viewer.locator('#replay-product').getAttribute('data-product-id')).toBeNull();
    await viewer.locator('#replay-chapters button[data-type="product-pinned"]').click();
    await expect
      .poll(async () => Math.abs((await video(viewer)).time * 1000 - expected), { timeout: 10_000 })
      .toBeLessThan(2000);
    await expect
      .poll(() => viewer.locator('#replay-product').getAttribute('data-product-id'), { timeout: 5000 })
      .toBe(product.id);
    await expect.poll(() => viewer.locator('#replay-product').textContent()).toContain('Oolong 乌龙');
    // The host's comment of that moment shows over the video, as text.
    await expect
      .poll(() => viewer.locator('#replay-comments').textContent(), { timeout: 10_000 })
      .toContain(said);
    expect(await viewer.locator('#replay-comments b').count()).toBe(0);

    // Buying from the replay (once the live's own settlement is through): an order attributed to the replay, at
    // the position being watched.
    await viewer.locator('#replay-video').evaluate((v: HTMLVideoElement) => v.pause());
    const watchedMs = (await video(viewer)).time * 1000;
    await waitFor(
      async () =>
        (await s.built.deps.db.query('SELECT 1 FROM commerce_settlements WHERE live_id = $1', [liveId])).rows
          .length > 0,
      60_000,
      'the live settled',
    );
    await viewer.getByRole('button', { name: 'Buy' }).click();
    await expect
      .poll(() => viewer.locator('.replay-buy').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('paid');
    const orderId = await viewer.locator('.replay-buy').getAttribute('data-order-id');
    const { rows } = await s.built.deps.db.query<{
      source: string;
      replay_offset_ms: number;
      product_id: string;
    }>('SELECT source, replay_offset_ms, product_id FROM orders WHERE id = $1', [orderId]);
    expect(rows[0]).toMatchObject({ source: 'replay', product_id: product.id });
    expect(Math.abs(rows[0]!.replay_offset_ms - watchedMs)).toBeLessThan(1000);
    await viewer.screenshot({ path: join(ARTIFACTS, 'replay-viewer.png') });
  }, 240_000);
});
