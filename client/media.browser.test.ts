/**
 * The host studio publishes Chromium's fake camera and microphone through a real node (mediasoup 3.8.4 workers,
 * mediasoup-client in the page) and two viewer pages play it. Built into its own directory so it never races
 * the other browser test's build of client/dist.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS } from '../test/browser/chromium';
import { type ClientApp, nameGuest, startClientApp } from '../test/browser/client-app';
import { startMediaServer } from '../test/media';
import type { TestServer } from '../test/server';

/** The page's <video> state: decoded size, playback position, track kinds. */
const videoState = (page: Page, selector: string) =>
  page.locator(selector).evaluate((v: HTMLVideoElement) => ({
    width: v.videoWidth,
    height: v.videoHeight,
    time: v.currentTime,
    muted: v.muted,
    tracks: ((v.srcObject as MediaStream | null)?.getTracks() ?? []).map((t) => t.kind).sort(),
  }));

/** Ids of the tracks the page plays: a new media session means new tracks. */
const trackIds = (page: Page) =>
  page
    .locator('#player')
    .evaluate((v: HTMLVideoElement) =>
      ((v.srcObject as MediaStream | null)?.getTracks() ?? []).map((t) => t.id).join(),
    );

/** Resolves once the page's <video> shows frames and its playback position moves on. */
async function playing(page: Page): Promise<void> {
  await expect
    .poll(async () => (await videoState(page, '#player')).width, { timeout: 20_000 })
    .toBeGreaterThan(0);
  const t = (await videoState(page, '#player')).time;
  await expect
    .poll(async () => (await videoState(page, '#player')).time, { timeout: 10_000 })
    .toBeGreaterThan(t);
}

describe('live video in Chromium', () => {
  let s: TestServer;
  let browser: Browser;
  let app: ClientApp | undefined;
  beforeAll(async () => {
    app = await startClientApp({
      name: 'media',
      start: (env, build) => startMediaServer([45200, 45399], env, build),
    });
    ({ s, browser } = app);
  });
  afterAll(() => app?.close());

  it('the host goes live with the fake camera; two viewers play it, and play again after its worker is SIGKILLed', async () => {
    const host = await (await browser.newContext()).newPage();
    await host.goto(`${s.url}/host.html`);
    await host.getByLabel('Username').fill('camera_host');
    await host.getByLabel('Password').fill('correct horse battery');
    await host.getByRole('button', { name: 'Register' }).click();
    await host.getByLabel('New live title').fill('Camera test 摄像头');
    await host.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => host.locator('#status').textContent(), { timeout: 10_000 }).toBe('scheduled');
    // The preview runs before going live; the pickers list the fake devices.
    await expect
      .poll(async () => (await videoState(host, '#preview')).width, { timeout: 10_000 })
      .toBeGreaterThan(0);
    expect(await host.locator('#camera option').count()).toBeGreaterThan(0);
    expect(await host.locator('#mic option').count()).toBeGreaterThan(0);

    await host.getByRole('button', { name: 'Go live' }).click();
    await expect.poll(() => host.locator('#status').textContent()).toBe('live');
    await expect
      .poll(() => host.locator('#media-state').getAttribute('data-state'), { timeout: 15_000 })
      .toBe('live');
    const liveId = new URL(host.url()).searchParams.get('live')!;
    // Audio plus simulcast video (VP8, three layers) reached the server.
    const room = (await s.built.use('mediaRooms').room(liveId))!;
    expect(room.producers.map((p) => `${p.kind}:${p.type}`).sort()).toEqual([
      'audio:simple',
      'video:simulcast',
    ]);

    const viewers: Page[] = [];
    for (const name of ['viewer one', 'viewer 二']) {
      const viewer = await (await browser.newContext()).newPage();
      await nameGuest(viewer, s.url, name);
      await viewer.goto(`${s.url}/?live=${liveId}`);
      viewers.push(viewer);
    }
    for (const viewer of viewers) {
      await expect
        .poll(async () => (await videoState(viewer, '#player')).width, { timeout: 20_000 })
        .toBeGreaterThan(0);
      const first = await videoState(viewer, '#player');
      expect(first.tracks).toEqual(['audio', 'video']);
      expect(first.muted).toBe(true);
      await expect
        .poll(async () => (await videoState(viewer, '#player')).time, { timeout: 10_000 })
        .toBeGreaterThan(first.time);
    }
    await host.screenshot({ path: join(ARTIFACTS, 'media-host-studio.png') });
    await viewers[0]!.screenshot({ path: join(ARTIFACTS, 'media-viewer-1.png') });
    await viewers[1]!.screenshot({ path: join(ARTIFACTS, 'media-viewer-2.png') });

    // Unmute is a click away (autoplay starts muted).
    await viewers[0]!.getByRole('button', { name: 'Unmute' }).click();
    expect((await videoState(viewers[0]!, '#player')).muted).toBe(false);

    // Video quality: Low prefers the lowest simulcast layer (¼ resolution), Auto the full one again.
    const width = async () => (await videoState(viewers[1]!, '#player')).width;
    // NOTE: a new consumer starts on a low layer and climbs as the bandwidth estimate grows (seconds on a busy
    // box): "full" is the camera's own width, which Auto reaches.
    const full = (await videoState(host, '#preview')).width;
    await expect.poll(width, { timeout: 30_000 }).toBe(full);
    await viewers[1]!.getByRole('button', { name: 'More' }).click();
    await viewers[1]!.getByLabel('Video quality').selectOption('0');
    await expect.poll(width, { timeout: 10_000 }).toBe(full / 4);
    await viewers[1]!.getByLabel('Video quality').selectOption('auto');
    await expect.poll(width, { timeout: 10_000 }).toBe(full);

    // SIGKILL the worker under the live: the pages re-establish media by themselves (no reload), the host
    // republishes, and both viewers play fresh tracks again.
    const before = await Promise.all(viewers.map(trackIds));
    const killedAt = Date.now();
    process.kill(room.stats().routers.find((r) => r.origin)!.workerPid, 'SIGKILL');
    await expect.poll(() => room.closed, { timeout: 5000 }).toBe(true);
    for (const [i, viewer] of viewers.entries()) {
      await expect.poll(() => trackIds(viewer), { timeout: 20_000 }).not.toBe(before[i]);
      await expect
        .poll(async () => (await videoState(viewer, '#player')).width, { timeout: 20_000 })
        .toBeGreaterThan(0);
      const t = (await videoState(viewer, '#player')).time;
      await expect
        .poll(async () => (await videoState(viewer, '#player')).time, { timeout: 10_000 })
        .toBeGreaterThan(t);
    }
    writeFileSync(
      join(ARTIFACTS, 'media-worker-kill.json'),
      JSON.stringify({ recoveredBothViewersMs: Date.now() - killedAt }, null, 2),
    );
    await viewers[1]!.screenshot({ path: join(ARTIFACTS, 'media-viewer-2-after-worker-kill.png') });
    const rebuilt = (await s.built.use('mediaRooms').room(liveId))!;
    expect(rebuilt.producers.map((p) => p.kind).sort()).toEqual(['audio', 'video']);

    // Ending the live stops the media on both sides and closes the room.
    await host.getByRole('button', { name: 'End live' }).click();
    await expect
      .poll(() => viewers[0]!.locator('#media-state').getAttribute('data-state'), { timeout: 10_000 })
      .toBe('idle');
    await expect.poll(() => rebuilt.closed, { timeout: 10_000 }).toBe(true);
  }, 60_000);
  it('a viewer whose transport loses ICE restarts it and plays on, same tracks, no reload', async () => {
    const host = await (await browser.newContext()).newPage();
    await host.goto(`${s.url}/host.html`);
    await host.getByLabel('Username').fill('ice_host');
    await host.getByLabel('Password').fill('correct horse battery');
    await host.getByRole('button', { name: 'Register' }).click();
    await host.getByLabel('New live title').fill('ICE restart');
    await host.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => host.locator('#status').textContent(), { timeout: 10_000 }).toBe('scheduled');
    await host.getByRole('button', { name: 'Go live' }).click();
    await expect
      .poll(() => host.locator('#media-state').getAttribute('data-state'), { timeout: 15_000 })
      .toBe('live');
    const liveId = new URL(host.url()).searchParams.get('live')!;
    const viewer = await (await browser.newContext()).newPage();
    await nameGuest(viewer, s.url, 'ice viewer');
    await viewer.goto(`${s.url}/?live=${liveId}`);
    await playing(viewer);
    const tracks = await trackIds(viewer);

    // Break the viewer's ICE from the server side: after two restarts the browser's credentials are neither the
    // current nor the previous ones (which mediasoup still accepts), so its consent checks get 401 and the
    // transport fails — the client's media session must restart ICE by itself (sfu:ice:restart).
    const room = (await s.built.use('mediaRooms').room(liveId))!;
    const recv = room.transports().find((t) => t.direction === 'recv')!;
    const restartIce = room.restartIce.bind(room);
    await restartIce(recv.peerId, recv.transportId);
    await restartIce(recv.peerId, recv.transportId);
    let byClient = 0;
    room.restartIce = (peerId, transportId) => {
      if (peerId === recv.peerId && transportId === recv.transportId) byClient++;
      return restartIce(peerId, transportId);
    };
    await expect.poll(() => byClient, { timeout: 20_000 }).toBe(1);
    await expect
      .poll(() => viewer.locator('#media-state').getAttribute('data-state'), { timeout: 15_000 })
      .toBe('live');
    // Same session (same tracks, same transport on the server), and the video plays on.
    await playing(viewer);
    const t = (await videoState(viewer, '#player')).time;
    await expect
      .poll(async () => (await videoState(viewer, '#player')).time, { timeout: 10_000 })
      .toBeGreaterThan(t + 1);
    expect(await trackIds(viewer)).toBe(tracks);
    expect(room.transports().filter((x) => x.direction === 'recv')).toEqual([recv]);
    expect(byClient).toBe(1);
    await viewer.screenshot({ path: join(ARTIFACTS, 'media-viewer-after-ice-restart.png') });
    await host.getByRole('button', { name: 'End live' }).click();
  }, 60_000);
});
