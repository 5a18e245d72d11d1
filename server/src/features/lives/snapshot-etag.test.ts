import { RoomSnapshot } from '@lc/contracts/room.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, connect, guest, hostWithLive, startServer, type TestServer } from '../../../../test/server';

interface Polled {
  status: number;
  etag: string | null;
  cacheControl: string | null;
  contentLength: string | null;
  snapshot?: RoomSnapshot;
  text: string;
}

describe('snapshot ETag / 304', () => {
  let s: TestServer;
  beforeAll(async () => {
    // A short shared-part lifetime so presence changes reach the snapshot within the test.
    s = await startServer({ env: { SNAPSHOT_CACHE_MS: '50' } });
  });
  afterAll(async () => {
    await s?.close();
  });

  const poll = async (liveId: string, token: string, ifNoneMatch?: string): Promise<Polled> => {
    const res = await fetch(`${s.url}/api/lives/${liveId}/snapshot`, {
      headers: {
        authorization: `Bearer ${token}`,
        ...(ifNoneMatch ? { 'if-none-match': ifNoneMatch } : {}),
      },
    });
    const text = await res.text();
    return {
      status: res.status,
      etag: res.headers.get('etag'),
      cacheControl: res.headers.get('cache-control'),
      contentLength: res.headers.get('content-length'),
      snapshot: res.status === 200 ? RoomSnapshot.parse(JSON.parse(text)) : undefined,
      text,
    };
  };

  it('answers 304 with no body to the tag it gave while the snapshot is unchanged, 200 to any other tag', async () => {
    const { host, liveId } = await hostWithLive(s);
    const viewer = await guest(s);
    const first = await poll(liveId, viewer.token);
    expect(first.status).toBe(200);
    expect(first.etag).toMatch(/^"[\w-]+\.[\w-]+"$/);
    expect(first.cacheControl).toBe('private, no-cache');
    const same = await poll(liveId, viewer.token, first.etag!);
    expect(same).toMatchObject({ status: 304, etag: first.etag, text: '' });
    // No Content-Length on a 304: a client trusting one would wait for a body that never comes.
    expect(same.contentLength).toBeNull();
    expect((await poll(liveId, viewer.token, `W/${first.etag}`)).status).toBe(304);
    expect((await poll(liveId, viewer.token, `"other", ${first.etag}`)).status).toBe(304);
    const other = await poll(liveId, viewer.token, '"not-the-tag"');
    expect(other.status).toBe(200);
    expect(other.etag).toBe(first.etag);
    // Another role sees another snapshot, so another tag: the host's 200 is never a viewer's 304.
    const hostView = await poll(liveId, host.token, first.etag!);
    expect(hostView.status).toBe(200);
    expect(hostView.snapshot?.role).toBe('host');
  });

  it('never answers 304 once the caller’s own part changed (follows the host)', async () => {
    const { liveId } = await hostWithLive(s);
    const viewer = await guest(s);
    const before = await poll(liveId, viewer.token);
    expect(before.snapshot?.features.social).toMatchObject({ following: false });
    const res = await fetch(`${s.url}/api/hosts/${before.snapshot!.live.hostId}/follow`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${viewer.token}` },
    });
    expect(res.status).toBe(200);
    const after = await poll(liveId, viewer.token, before.etag!);
    expect(after.status).toBe(200);
    expect(after.snapshot?.features.social).toMatchObject({ following: true });
    expect(after.etag).not.toBe(before.etag);
  });

  it('never answers 304 for a changed room while 20 viewers poll concurrently and the host announces', async () => {
    const { host, liveId } = await hostWithLive(s);
    const hostSock = await connect(s, host.token);
    const viewers = await Promise.all(Array.from({ length: 20 }, (_, i) => guest(s, `poller${i}`)));
    // The lowest seq a poll started now must see: raised after each acknowledged announcement.
    let ackedSeq = 0;
    let stop = false;
    const violations: string[] = [];
    let notModified = 0;
    let fresh = 0;
    const poller = async (token: string) => {
      let held: Polled | undefined;
      while (!stop) {
        const mustSee = ackedSeq;
        const r = await poll(liveId, token, held?.etag ?? undefined);
        if (r.status === 304) {
          notModified++;
          // A 304 means "what you hold is current": it must not be older than an announcement already acked.
          if (!held?.snapshot || held.snapshot.seq < mustSee)
            violations.push(`304 for seq ${held?.snapshot?.seq} after seq ${mustSee} was acked`);
          if (r.etag !== held?.etag) violations.push(`304 with tag ${r.etag}, held ${held?.etag}`);
        } else {
          expect(r.status).toBe(200);
          fresh++;
          if (r.snapshot!.seq < mustSee) violations.push(`200 at seq ${r.snapshot!.seq} < ${mustSee}`);
          held = r;
        }
      }
    };
    const polling = Promise.all(viewers.map((v) => poller(v.token)));
    const seqs: number[] = [];
    for (let i = 0; i < 15; i++) {
      const ack = await call<{ seq: number }>(hostSock, 'live:announce', { liveId, text: `drop ${i}` });
      expect(ack.ok).toBe(true);
      if (ack.ok) {
        seqs.push(ack.data.seq);
        ackedSeq = ack.data.seq;
      }
      await new Promise((r) => setTimeout(r, 60));
    }
    // A quiet room: pollers holding the current tag now get 304s.
    await new Promise((r) => setTimeout(r, 600));
    stop = true;
    await polling;
    expect(violations).toEqual([]);
    expect(seqs).toHaveLength(15);
    expect(notModified).toBeGreaterThan(0);
    expect(fresh).toBeGreaterThanOrEqual(20 * 2);

    // A socket join changes presence (no log event): once the shared part expires, the held tag is stale.
    const held = await poll(liveId, viewers[0]!.token);
    expect(held.snapshot?.seq).toBe(seqs.at(-1));
    const watcher = await connect(s, (await guest(s, 'watcher')).token);
    expect((await call(watcher, 'live:join', { liveId })).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 150));
    const moved = await poll(liveId, viewers[0]!.token, held.etag!);
    expect(moved.status).toBe(200);
    expect(moved.snapshot!.presence).not.toEqual(held.snapshot!.presence);
    watcher.close();
    hostSock.close();
  }, 60_000);
});
