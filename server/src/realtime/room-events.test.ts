import type { JoinResult, RoomEvent } from '@lc/contracts/room.schema';
import { SeqTracker } from '@lc/contracts/seq-tracker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  connect,
  guest,
  hostWithLive,
  sharedEnv,
  spawnNode,
  startServer,
  type TestClient,
  type TestServer,
  waitFor,
} from '../../../test/server';

/** Collects the room events a client applies, in order, as the web client does. */
function follow(socket: TestClient, liveId: string, tracker: SeqTracker) {
  const applied: RoomEvent[] = [];
  socket.on('room:events', (frame) => {
    if (frame.liveId !== liveId) return;
    applied.push(...tracker.accept(frame.events).fresh);
  });
  return { applied };
}

async function announce(host: TestClient, liveId: string, n: number, tag: string) {
  const seqs: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await call<{ seq: number }>(host, 'live:announce', { liveId, text: `${tag}-${i}` });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    seqs.push(r.data.seq);
  }
  return seqs;
}

describe('room events across nodes and reconnects', () => {
  let a: TestServer;
  let b: TestServer;
  let liveId: string;
  let hostToken: string;
  beforeAll(async () => {
    a = await startServer({ ledger: 'postgres' });
    b = await startServer({ env: sharedEnv(a) });
    ({
      liveId,
      host: { token: hostToken },
    } = await hostWithLive(a));
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('delivers to a client on node A an event published through node B', async () => {
    const viewer = await connect(a, (await guest(a)).token);
    const host = await connect(b, hostToken);
    const join = await call<JoinResult>(viewer, 'live:join', { liveId });
    expect(join.ok).toBe(true);
    const tracker = new SeqTracker(join.ok && join.data.mode === 'snapshot' ? join.data.snapshot.seq : 0);
    const seen = follow(viewer, liveId, tracker);
    const [seq] = await announce(host, liveId, 1, 'via-b');
    await waitFor(() => seen.applied.find((e) => e.seq === seq), 5000, 'event from node B');
    expect(seen.applied.at(-1)).toMatchObject({ type: 'live:announcement', data: { text: 'via-b-0' } });
    viewer.close();
    host.close();
  });

  it('delivers across two server processes: a node in its own process publishes, node A delivers', async () => {
    const other = await spawnNode({
      ...sharedEnv(a),
      REDIS_URL: a.env.REDIS_URL!,
      NODE_ENV: 'test',
      FRAME_MS: '20',
    });
    try {
      const viewer = await connect(a, (await guest(a)).token);
      const join = await call<JoinResult>(viewer, 'live:join', { liveId });
      const tracker = new SeqTracker(join.ok && join.data.mode === 'snapshot' ? join.data.snapshot.seq : 0);
      const seen = follow(viewer, liveId, tracker);
      const host = await connect(other, hostToken);
      const [seq] = await announce(host, liveId, 1, 'other-process');
      await waitFor(() => seen.applied.find((e) => e.seq === seq), 5000, 'event from the other process');
      // and the other way round: presence written by node A is visible through the other process
      const snap = await fetch(`${other.url}/api/lives/${liveId}/snapshot`, {
        headers: { authorization: `Bearer ${hostToken}` },
      });
      expect(
        ((await snap.json()) as { presence: { online: number } }).presence.online,
      ).toBeGreaterThanOrEqual(1);
      viewer.close();
      host.close();
    } finally {
      await other.stop();
    }
  }, 90_000);

  it('gives a client that drops for a few seconds exactly the missed events, in order, no duplicates', async () => {
    const host = await connect(b, hostToken);
    const token = (await guest(a)).token;
    let viewer = await connect(a, token);
    const join = await call<JoinResult>(viewer, 'live:join', { liveId });
    if (!join.ok || join.data.mode !== 'snapshot') throw new Error('expected a snapshot');
    const tracker = new SeqTracker(join.data.snapshot.seq);
    let seen = follow(viewer, liveId, tracker);
    const before = await announce(host, liveId, 5, 'before');
    await waitFor(() => tracker.seq === before.at(-1), 5000, 'events before the drop');
    const appliedBefore = [...seen.applied];

    viewer.disconnect();
    const missed = await announce(host, liveId, 20, 'missed');
    await new Promise((r) => setTimeout(r, 2000));

    viewer = await connect(a, token);
    seen = follow(viewer, liveId, tracker);
    // Events keep flowing while the client rejoins: the replay and the live frames must not overlap or gap.
    const during = announce(host, liveId, 10, 'during');
    const rejoin = await call<JoinResult>(viewer, 'live:join', { liveId, lastSeq: tracker.seq });
    if (!rejoin.ok || rejoin.data.mode !== 'replay')
      throw new Error(`expected a replay, got ${JSON.stringify(rejoin)}`);
    expect(rejoin.data.events.slice(0, 20).map((e) => e.seq)).toEqual(missed);
    const replayed = tracker.accept(rejoin.data.events);
    const after = await during;
    await waitFor(() => tracker.seq === after.at(-1), 5000, 'events after the rejoin');

    const all = [...appliedBefore, ...replayed.fresh, ...seen.applied].map((e) => e.seq);
    const expected = [...before, ...missed, ...after];
    expect(all.filter((s) => s >= expected[0]!)).toEqual(expected);
    expect(tracker.waiting).toBe(0);
    viewer.close();
    host.close();
  });

  it('gives a client away longer than the log a fresh snapshot and says so', async () => {
    const small = await startServer({ ledger: 'postgres', env: { ROOM_LOG_MAX_LEN: '10' } });
    try {
      const { liveId: id, host: h } = await hostWithLive(small);
      const host = await connect(small, h.token);
      const viewer = await connect(small, (await guest(small)).token);
      const join = await call<JoinResult>(viewer, 'live:join', { liveId: id });
      if (!join.ok || join.data.mode !== 'snapshot') throw new Error('expected a snapshot');
      const lastSeq = join.data.snapshot.seq;
      viewer.disconnect();
      await announce(host, id, 25, 'flood');
      const again = await connect(small, (await guest(small)).token);
      const rejoin = await call<JoinResult>(again, 'live:join', { liveId: id, lastSeq });
      expect(rejoin.ok).toBe(true);
      if (!rejoin.ok || rejoin.data.mode !== 'snapshot') throw new Error('expected a snapshot');
      expect(rejoin.data.reason).toBe('gap-too-old');
      expect(rejoin.data.snapshot.seq).toBe(lastSeq + 25);
      expect(rejoin.data.snapshot.recent.at(-1)).toMatchObject({
        seq: lastSeq + 25,
        data: { text: 'flood-24' },
      });

      const ahead = await call<JoinResult>(again, 'live:join', { liveId: id, lastSeq: 10_000 });
      expect(ahead.ok && ahead.data.mode === 'snapshot' && ahead.data.reason).toBe('ahead-of-log');
      host.close();
      again.close();
    } finally {
      await small.close();
    }
  });
});
