/**
 * Chapters of a long live: the room log keeps only ROOM_LOG_MAX_LEN events, so a live busy enough drops its early
 * pins from the log before the end. The moments kept during the live (uncapped) and the ledger's polls still make
 * the chapters. Real node, Redis, PGlite and job worker; the recording's rows are written as the recorder does.
 */
import type { Poll } from '@lc/contracts/poll.schema';
import type { Recording } from '@lc/contracts/replay.schema';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProduct } from '../../../../test/commerce';
import { joined, ok } from '../../../../test/media';
import { call, hostWithLive, http, startServer, type TestServer, waitFor } from '../../../../test/server';
import { loadConfig } from '../../config';
import { createRecordingsRepo } from '../../ledger/recordings.repo';
import { parseEntry, type RawEntry } from '../../realtime/room-log';
import { buildWorker } from '../../worker-app';

describe('replay chapters of a live whose room log overflowed', () => {
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
});
