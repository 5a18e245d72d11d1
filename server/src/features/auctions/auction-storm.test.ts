import {
  type AuctionBidEvent,
  type AuctionHammerEvent,
  type IncrementRow,
  incrementAt,
} from '@lc/contracts/auction.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auctionLive, type Bidder, bid, bidders, ofType } from '../../../../test/auctions';
import { pay } from '../../../../test/commerce';
import { sharedEnv, startServer, type TestServer, waitFor } from '../../../../test/server';

// NOTE: bidders and both nodes share one process here; 600 keeps the suite's run bounded on a shared machine.
// The acceptance figure (2,000 bidders) runs with AUCTION_STORM_BIDDERS=2000, and in the load kit's
// `auction-storm` scenario against a spawned server.
const BIDDERS = Number(process.env.AUCTION_STORM_BIDDERS ?? 600);
const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

describe('auctions across two nodes (PostgreSQL ledger)', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    // NOTE: bidders, both nodes and their frames share this process's event loop: presence goes out rarely so
    // 2,000 sockets don't drown it in counter broadcasts (bids are room events, unaffected).
    const env = { AUCTION_TICK_MS: '50', PAYMENT_SIM_DELAY_MS: '20', PRESENCE_MS: '5000', FRAME_MS: '50' };
    a = await startServer({ ledger: 'postgres', env });
    b = await startServer({ env: { ...sharedEnv(a), ...env } });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it(`holds every rule while ${BIDDERS} bidders on two nodes storm the last 3 seconds of a soft close`, async () => {
    const { liveId, open } = await auctionLive(a);
    const half = Math.ceil(BIDDERS / 2);
    const all: Bidder[] = [
      ...(await bidders(a, liveId, half, 'a')),
      ...(await bidders(b, liveId, BIDDERS - half, 'b')),
    ];
    const increments: IncrementRow[] = [
      { from: 0, step: 100 },
      { from: 5000, step: 500 },
    ];
    const auction = await open({
      durationSec: 5,
      mode: 'soft',
      softCloseSec: 2,
      maxExtendSec: 4,
      increments,
    });
    const stormFrom = auction.endsAt - 3000;
    // Each bidder bids twice at random moments from 3 s before the scheduled end to past the cap, a little
    // above the high bid it last saw (so many race and some arrive after the end).
    type Outcome = {
      who: string;
      amount: number;
      ok: boolean;
      code?: string;
      minBid?: number;
      seq?: number;
      sentAt: number;
    };
    const outcomes: Outcome[] = [];
    const seen = (x: Bidder) => {
      const bids = ofType<AuctionBidEvent>(x.events, 'auction:bid');
      return bids.length ? bids[bids.length - 1]!.price : undefined;
    };
    await Promise.all(
      all.flatMap((x) =>
        [0, 1].map(async () => {
          await sleepUntil(stormFrom + Math.random() * (auction.capAt + 500 - stormFrom));
          const p = seen(x);
          const base = p === undefined ? auction.startPrice : p + incrementAt(increments, p);
          const amount = base + incrementAt(increments, base) * Math.floor(Math.random() * 3);
          const sentAt = Date.now();
          const r = await bid(x, liveId, auction.id, amount);
          outcomes.push(
            r.ok
              ? { who: x.auth.user.id, amount, ok: true, seq: r.data.seq, sentAt }
              : {
                  who: x.auth.user.id,
                  amount,
                  ok: false,
                  code: r.error.code,
                  minBid: (r.error.details as { minBid?: number } | undefined)?.minBid,
                  sentAt,
                },
          );
        }),
      ),
    );
    await Promise.all(
      all.map((x) =>
        waitFor(() => ofType(x.events, 'auction:hammer').length > 0, 30_000, 'hammer everywhere'),
      ),
    );

    // Only these answers; every refusal of a low bid names a higher minimum.
    const accepted = outcomes.filter((o) => o.ok);
    for (const o of outcomes) expect(['ok', 'BID_TOO_LOW', 'AUCTION_ENDED']).toContain(o.code ?? 'ok');
    for (const o of outcomes.filter((x) => x.code === 'BID_TOO_LOW'))
      expect(o.minBid).toBeGreaterThan(o.amount);
    expect(accepted.length).toBeGreaterThan(1);
    expect(outcomes.filter((o) => o.code === 'AUCTION_ENDED').length).toBeGreaterThan(0);

    // Every viewer on both nodes saw the same events in seq order with no gap.
    const reference = all[0]!.events;
    for (const x of all) {
      expect(x.gaps).toBe(0);
      expect(x.events.map((e) => e.seq)).toEqual(reference.map((e) => e.seq));
    }
    const bidEvents = ofType<AuctionBidEvent>(reference, 'auction:bid');
    // One room event per accepted bid that moved the price (a leader raising their own ceiling moves nothing).
    const moved = accepted.filter((o) => o.seq !== undefined).map((o) => o.seq as number);
    expect(moved.length).toBeGreaterThan(1);
    expect(reference.filter((e) => e.type === 'auction:bid').map((e) => e.seq)).toEqual(
      [...moved].sort((x, y) => x - y),
    );
    // Each accepted bid tops the previous by at least the increment, before the end at that moment; the end
    // moves exactly by the soft-close rule, never past the cap.
    let prevPrice: number | undefined;
    let prevEnd = auction.endsAt;
    for (const e of bidEvents) {
      expect(e.at).toBeLessThan(prevEnd);
      if (prevPrice === undefined) expect(e.price).toBeGreaterThanOrEqual(auction.startPrice);
      else expect(e.price).toBeGreaterThanOrEqual(prevPrice + incrementAt(increments, prevPrice));
      const expected =
        prevEnd - e.at < 2000 ? Math.min(Math.max(prevEnd, e.at + 2000), auction.capAt) : prevEnd;
      expect(e.endsAt).toBe(expected);
      prevPrice = e.price;
      prevEnd = e.endsAt;
    }
    // The highest accepted bid leads; as in an English auction it pays at most its bid and at least every other
    // bidder's highest accepted bid. Exactly one winner holds it.
    const final = bidEvents[bidEvents.length - 1]!;
    const top = accepted.reduce((m, o) => (o.amount > m.amount ? o : m));
    expect(final.leader.id).toBe(top.who);
    expect(final.price).toBeLessThanOrEqual(top.amount);
    const others = accepted.filter((o) => o.who !== top.who).map((o) => o.amount);
    expect(final.price).toBeGreaterThanOrEqual(Math.max(...others));
    const hammers = ofType<AuctionHammerEvent>(reference, 'auction:hammer');
    expect(hammers).toEqual([
      expect.objectContaining({ holder: final.leader, price: final.price, offer: 1 }),
    ]);
    const winner = all.find((x) => x.auth.user.id === final.leader.id)!;
    await waitFor(() => winner.won.length === 1, 10_000, 'auction:won');
    const { redis, keys } = a.built.deps;
    const sale = await redis.hgetall(keys.sale(liveId, auction.saleId));
    expect({ remaining: sale.remaining, reserved: sale.reserved, sold: sale.sold }).toEqual({
      remaining: '0',
      reserved: '1',
      sold: '0',
    });
    const holds = Object.values(await redis.hgetall(keys.reservations(liveId)))
      .map((r) => JSON.parse(r) as { saleId: string; userId: string; unitPrice: number })
      .filter((r) => r.saleId === auction.saleId);
    expect(holds).toEqual([expect.objectContaining({ userId: final.leader.id, unitPrice: final.price })]);
    for (const x of all) expect(x.won.length).toBe(x === winner ? 1 : 0);
    for (const x of all) x.close();
  }, 300_000);

  it('passes an unpaid win to the runner-up exactly once, then the runner-up pays', async () => {
    const { liveId, open, product } = await auctionLive(a);
    const auction = await open({ durationSec: 5, mode: 'sudden', payWindowSec: 5 });
    const [x] = await bidders(a, liveId, 1, 'x');
    const [y, z] = await bidders(b, liveId, 2, 'y');
    expect(await bid(x!, liveId, auction.id, 1000, 3000)).toMatchObject({ ok: true });
    expect(await bid(y!, liveId, auction.id, 2000)).toMatchObject({ ok: true, data: { leading: false } });
    expect(await bid(z!, liveId, auction.id, 1500, 1800)).toMatchObject({
      ok: false,
      error: { code: 'BID_TOO_LOW' },
    });
    expect(await bid(z!, liveId, auction.id, 2200)).toMatchObject({ ok: true, data: { price: 2300 } });
    // x wins at 2300 and lets the hold lapse; both nodes' clocks race to pass it on.
    const won = await waitFor(() => x!.won[0], 15_000, 'x wins');
    expect(won).toMatchObject({ price: 2300, offer: 1 });
    const offer = await waitFor(() => z!.won[0], 20_000, 'runner-up offer');
    // The runner-up is the next-highest ceiling (z at 2200), offered at that ceiling.
    expect(offer).toMatchObject({ price: 2200, offer: 2 });
    await sleepUntil(Date.now() + 1000);
    const offered = ofType<AuctionHammerEvent>(y!.events, 'auction:offered');
    expect(offered).toEqual([
      expect.objectContaining({ holder: { id: z!.auth.user.id, name: 'y1' }, price: 2200 }),
    ]);
    expect(y!.won).toEqual([]);
    expect(x!.won).toHaveLength(1);
    expect(await pay(a, z!.auth.token, liveId, offer.reservationId)).toMatchObject({ status: 202 });
    await waitFor(() => ofType(x!.events, 'auction:sold').length === 1, 15_000, 'auction:sold');
    const { redis, keys } = b.built.deps;
    const sale = await redis.hgetall(keys.sale(liveId, auction.saleId));
    expect({ remaining: sale.remaining, reserved: sale.reserved, sold: sale.sold }).toEqual({
      remaining: '0',
      reserved: '0',
      sold: '1',
    });
    expect(await redis.smembers(keys.auctionDefaulters(liveId))).toEqual([x!.auth.user.id]);
    const { rows } = await a.built.deps.db.query<{ user_id: string; unit_price: string }>(
      'SELECT user_id, unit_price::text FROM orders WHERE live_id = $1 AND product_id = $2',
      [liveId, product.id],
    );
    expect(rows).toEqual([{ user_id: z!.auth.user.id, unit_price: '2200' }]);
    // The defaulter may not bid again in this live.
    const next = await open({ durationSec: 30 });
    expect(await bid(x!, liveId, next.id, 5000)).toMatchObject({
      ok: false,
      error: { code: 'AUCTION_NOT_ELIGIBLE', details: { reason: 'lapsed-win' } },
    });
    for (const v of [x, y, z]) v!.close();
  }, 90_000);
});
