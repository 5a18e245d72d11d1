/**
 * Chapters of a long live: the room log keeps only ROOM_LOG_MAX_LEN events, so a live busy enough drops its early
 * pins from the log before the end. The moments kept during the live (uncapped) and the ledger's polls still make
 * the chapters. And the comments archived for the replay's overlay. Real node, Redis, PGlite and job worker; the
 * recording's rows are written as the recorder does.
 */
import type { Poll } from '@lc/contracts/poll.schema';
import type { Recording, ReplayCommentsPage } from '@lc/contracts/replay.schema';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProduct } from '../../../../test/commerce';
import { joined, ok } from '../../../../test/media';
import {
  call,
  guest,
  hostWithLive,
  http,
  startServer,
  type TestServer,
  waitFor,
} from '../../../../test/server';
import { loadConfig } from '../../config';
import { createRecordingsRepo } from '../../ledger/recordings.repo';
import { parseEntry, type RawEntry } from '../../realtime/room-log';
import { buildWorker } from '../../worker-app';

describe('replay chapters and comments from the room log', () => {
  let s: TestServer;
  let worker: Awaited<ReturnType<typeof buildWorker>>;
  beforeAll(async () => {
    s = await startServer({ env: { ROOM_LOG_MAX_LEN: '10' } });
    worker = await buildWorker(loadConfig(s.env), pino({ level: 'silent' }), s.built.infra);
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await s?.close();
  });

  it('keeps the early pins and the closed poll although the log no longer holds them', async () => {
    const { host, liveId } = await hostWithLive(s);
    const repo = createRecordingsRepo(s.built.deps.db);
    const startedAt = Date.now();
    await repo.runStarted(liveId, 1, startedAt);
    const socket = await joined(s, host.token, liveId);
    const tea = await addProduct(s, host.token, liveId, { title: 'Early tea' });
    const cup = await addProduct(s, host.token, liveId, { title: 'Late cup' });
    await ok(call(socket, 'product:pin', { liveId, productId: tea.id }));
    const { poll } = await ok(
      call<{ poll: Poll }>(socket, 'poll:create', {
        liveId,
        question: 'Green or black?',
        options: ['green', 'black'],
        durationSec: 60,
      }),
    );
    await ok(call(socket, 'poll:close', { liveId, pollId: poll.id }));
    // A busy live: many more events than the log keeps.
    const roomLog = s.built.deps.roomLog;
    for (let i = 0; i < 60; i++) await roomLog.append(liveId, 'live:announce', { text: `news ${i}` });
    await ok(call(socket, 'product:pin', { liveId, productId: cup.id }));
    socket.close();

    const inLog = (
      (await s.built.deps.redis.xrange(s.built.deps.keys.log(liveId), '-', '+')) as RawEntry[]
    ).map(parseEntry);
    expect(inLog.length).toBeLessThanOrEqual(12);
    expect(
      inLog.some(
        (e) => e.type === 'product:pinned' && (e.data as { productId: string }).productId === tea.id,
      ),
    ).toBe(false);
    expect(inLog.some((e) => e.type === 'poll:closed')).toBe(false);

    const endAt = Date.now();
    await repo.runEnded(liveId, 1, endAt, 'live-ended');
    await repo.setRunSeconds(liveId, 1, (endAt - startedAt) / 1000);
    await repo.finish(liveId, { status: 'ended', at: endAt, bytes: 1000, durationMs: endAt - startedAt });
    expect((await http(s, 'POST', `/api/lives/${liveId}/end`, undefined, host.token)).status).toBe(200);
    const rec = await waitFor(
      async () => {
        const r = await http<Recording>(s, 'GET', `/api/lives/${liveId}/recording`, undefined, host.token);
        return r.body.chapters ? r.body : undefined;
      },
      30_000,
      'chapters',
    );
    expect(rec.chapters!.map((c) => [c.type, c.label, c.productId ?? null])).toEqual([
      ['product-pinned', 'Early tea', tea.id],
      ['poll-closed', 'Green or black?', null],
      ['product-pinned', 'Late cup', cup.id],
    ]);
    const [first, , last] = rec.chapters!;
    expect(first!.offsetMs).toBeLessThanOrEqual(last!.offsetMs);
    expect(first!.at).toBeGreaterThanOrEqual(startedAt);
  }, 90_000);

  it('archives the comments for the replay overlay: paged, at their offsets, deleted ones left out, text as sent', async () => {
    const { host, liveId } = await hostWithLive(s);
    const repo = createRecordingsRepo(s.built.deps.db);
    const startedAt = Date.now() - 1000;
    await repo.runStarted(liveId, 1, startedAt);
    const hostSocket = await joined(s, host.token, liveId);
    const viewer = await guest(s, 'Ann');
    const socket = await joined(s, viewer.token, liveId);
    const texts = ['hello', '<b>not bold</b> & <img src=x onerror=alert(1)>', 'bye'];
    const sent = [];
    for (const text of texts) {
      sent.push(
        (await ok(call<{ comment: { id: string } }>(socket, 'comment:send', { liveId, text }))).comment,
      );
      await new Promise((r) => setTimeout(r, 120));
    }
    await ok(call(hostSocket, 'comment:delete', { liveId, commentId: sent[2]!.id }));
    socket.close();
    hostSocket.close();
    const endAt = Date.now();
    await repo.runEnded(liveId, 1, endAt, 'live-ended');
    await repo.setRunSeconds(liveId, 1, (endAt - startedAt) / 1000);
    await repo.finish(liveId, { status: 'ended', at: endAt, bytes: 1000, durationMs: endAt - startedAt });
    expect((await http(s, 'POST', `/api/lives/${liveId}/end`, undefined, host.token)).status).toBe(200);

    const page = (afterSeq: number, token?: string) =>
      http<ReplayCommentsPage & { error?: { code: string } }>(
        s,
        'GET',
        `/api/lives/${liveId}/recording/comments?limit=1&afterSeq=${afterSeq}`,
        undefined,
        token,
      );
    const first = await waitFor(
      async () => {
        const r = await page(0, host.token);
        return r.body.comments?.length ? r.body : undefined;
      },
      30_000,
      'comments archived',
    );
    const second = (await page(first.next!, host.token)).body;
    const third = (await page(second.next!, host.token)).body;
    expect([...first.comments, ...second.comments, ...third.comments].map((c) => [c.name, c.text])).toEqual([
      ['Ann', 'hello'],
      ['Ann', texts[1]],
    ]);
    expect(third.next).toBeNull();
    const [a, b] = [first.comments[0]!, second.comments[0]!];
    expect(a.offsetMs).toBeGreaterThanOrEqual(1000);
    expect(b.offsetMs).toBeGreaterThan(a.offsetMs);
    // Unpublished: a viewer is refused; published: anyone reads it.
    expect((await page(0, viewer.token)).body.error?.code).toBe('RECORDING_NOT_PUBLISHED');
    await http(s, 'POST', `/api/lives/${liveId}/recording/publish`, { published: true }, host.token);
    expect((await page(0)).body.comments[0]!.text).toBe('hello');
    const bad = await http<{ error: { code: string } }>(
      s,
      'GET',
      `/api/lives/${liveId}/recording/comments?limit=100000`,
    );
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION']);
  }, 90_000);
});
