/** Helpers for auction tests: a live with a product and the host socket, bidders joined with their room events and notices. */
import type { Auction, AuctionBidResult, AuctionOutbid, AuctionWon } from '@lc/contracts/auction.schema';
import type { AuthResponse } from '@lc/contracts/auth.schema';
import type { JoinResult, RoomEvent } from '@lc/contracts/room.schema';
import { SeqTracker } from '@lc/contracts/seq-tracker';
import { addProduct } from './commerce';
import { call, connect, guest, hostWithLive, type TestClient, type TestServer } from './server';

export interface Bidder {
  auth: AuthResponse;
  socket: TestClient;
  events: RoomEvent[];
  gaps: number;
  outbid: AuctionOutbid[];
  won: AuctionWon[];
  close(): void;
}

/** Connects to `s`, joins the live and records room events (in seq order) and personal notices. */
export async function joinAs(
  s: Pick<TestServer, 'url'>,
  auth: AuthResponse,
  liveId: string,
): Promise<Bidder> {
  const socket = await connect(s, auth.token, { timeoutMs: 90_000 });
  const b: Bidder = { auth, socket, events: [], gaps: 0, outbid: [], won: [], close: () => socket.close() };
  socket.on('auction:outbid', (p) => b.outbid.push(p));
  socket.on('auction:won', (p) => b.won.push(p));
  const res = await call<JoinResult>(socket, 'live:join', { liveId }, 60_000);
  if (!res.ok || res.data.mode !== 'snapshot') throw new Error(`join failed: ${JSON.stringify(res)}`);
  const tracker = new SeqTracker(res.data.snapshot.seq);
  socket.on('room:events', (f) => {
    if (f.liveId !== liveId) return;
    const { fresh } = tracker.accept(f.events);
    // Events must arrive as consecutive seqs: anything applied out of one frame's order or skipped is a gap.
    for (const e of fresh) {
      const prev = b.events[b.events.length - 1];
      if (prev && e.seq !== prev.seq + 1) b.gaps++;
      b.events.push(e);
    }
  });
  return b;
}

export async function auctionLive(s: TestServer, product: Parameters<typeof addProduct>[3] = {}) {
  const { host, liveId } = await hostWithLive(s);
  const p = await addProduct(s, host.token, liveId, { stock: 5, ...product });
  const hostSocket = await connect(s, host.token);
  const joined = await call(hostSocket, 'live:join', { liveId });
  if (!joined.ok) throw new Error(`host join failed: ${JSON.stringify(joined)}`);
  const open = async (over: Record<string, unknown> = {}) => {
    const r = await call<{ auction: Auction }>(hostSocket, 'auction:create', {
      liveId,
      productId: p.id,
      startPrice: 1000,
      increments: [
        { from: 0, step: 100 },
        { from: 5000, step: 500 },
      ],
      ...over,
    });
    if (!r.ok) throw new Error(`auction:create failed: ${JSON.stringify(r.error)}`);
    return r.data.auction;
  };
  return { host, liveId, product: p, hostSocket, open };
}

/** `n` guests joined to the live, signed up and connected 100 at a time (a loaded machine times out more). */
export const bidders = async (s: TestServer, liveId: string, n: number, prefix = 'bidder') => {
  const out: Bidder[] = [];
  for (let i = 0; i < n; i += 100) {
    const ids = Array.from({ length: Math.min(100, n - i) }, (_, k) => i + k);
    const auths = await Promise.all(ids.map((k) => guest(s, `${prefix}${k}`)));
    out.push(...(await Promise.all(auths.map((a) => joinAs(s, a, liveId)))));
  }
  return out;
};

export const bid = (b: Bidder, liveId: string, auctionId: string, amount: unknown, max?: unknown) =>
  call<AuctionBidResult>(
    b.socket,
    'auction:bid',
    max === undefined ? { liveId, auctionId, amount } : { liveId, auctionId, amount, max },
    60_000,
  );

export const ofType = <T>(events: RoomEvent[], type: string) =>
  events.filter((e) => e.type === type).map((e) => e.data as T);
