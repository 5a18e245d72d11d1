import type { Auction, AuctionBidEvent, AuctionHammerEvent } from '@lc/contracts/auction.schema';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auctionLive, bid, bidders, joinAs, ofType } from '../../../../test/auctions';
import { pay, request } from '../../../../test/commerce';
import { call, guest, http, startServer, type TestServer, waitFor } from '../../../../test/server';
import { loadConfig } from '../../config';
import { buildWorker } from '../../worker-app';
import { COMMERCE_SETTLEMENT_STEP } from '../commerce/settlement/settlement.jobs';

describe('auctions on one node (PGlite ledger, worker in process)', () => {
  let s: TestServer;
  let worker: Awaited<ReturnType<typeof buildWorker>>;
  beforeAll(async () => {
    s = await startServer({ env: { AUCTION_TICK_MS: '50', PAYMENT_SIM_DELAY_MS: '20' } });
    worker = await buildWorker(loadConfig(s.env), pino({ level: 'silent' }), s.built.infra);
  });
  afterAll(async () => {
    await worker?.close();
    await s?.close();
  });

  it('refuses bad input with stable codes', async () => {
    const { liveId, hostSocket, open, product } = await auctionLive(s);
    const a = await open({ durationSec: 5, mode: 'sudden' });
    const [v] = await bidders(s, liveId, 1);
    const id = a.id;
    expect(await bid(v!, liveId, id, 999)).toMatchObject({
      ok: false,
      error: { code: 'BID_TOO_LOW', details: { minBid: 1000 } },
    });
    for (const amount of ['1500', 'abc', 1500.5, Number.NaN, null, -5, 1e20]) {
      const r = await bid(v!, liveId, id, amount);
      expect(r, String(amount)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    expect(await bid(v!, liveId, id, 1500, 1200)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(
      await call(v!.socket, 'auction:bid', { liveId, auctionId: id, amount: 1500, extra: 1 }),
    ).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
    // The host (and anyone with a staff role) cannot bid, whatever the payload.
    expect(await call(hostSocket, 'auction:bid', { liveId, auctionId: id, amount: 5000 })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await call(hostSocket, 'auction:bid', { liveId, auctionId: id, amount: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    // A viewer cannot open one; one open auction per live.
    expect(
      await call(v!.socket, 'auction:create', { liveId, productId: product.id, startPrice: 100 }),
    ).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(
      await call(hostSocket, 'auction:create', { liveId, productId: product.id, startPrice: 100 }),
    ).toMatchObject({ ok: false, error: { code: 'AUCTION_ALREADY_OPEN' } });
    expect(
      await call(hostSocket, 'auction:create', {
        liveId,
        productId: product.id,
        startPrice: 100,
        increments: [{ from: 100, step: 10 }],
      }),
    ).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await bid(v!, liveId, '00000000-0000-4000-8000-000000000000', 1000)).toMatchObject({
      ok: false,
      error: { code: 'AUCTION_NOT_FOUND' },
    });
    // An accepted bid sets the next minimum by the increment table (1000 → +100; from 5000 → +500).
    expect(await bid(v!, liveId, id, 5000)).toMatchObject({
      ok: true,
      data: { leading: true, minBid: 5500 },
    });
    const [w] = await bidders(s, liveId, 1, 'late');
    expect(await bid(w!, liveId, id, 5400)).toMatchObject({
      ok: false,
      error: { details: { minBid: 5500 } },
    });
    // After the end (server clock) every bid is refused.
    await new Promise((r) => setTimeout(r, Math.max(0, a.endsAt + 20 - Date.now())));
    expect(await bid(w!, liveId, id, 99_000)).toMatchObject({ ok: false, error: { code: 'AUCTION_ENDED' } });
    v!.close();
    w!.close();
  });

  it('resolves proxy bids as an English auction and tells the displaced leader', async () => {
    const { liveId, open } = await auctionLive(s);
    const a = await open({ durationSec: 30 });
    const [x, y, z] = await bidders(s, liveId, 3);
    // x: ceiling 3000. y bids 1500: x's proxy answers at 1600.
    expect(await bid(x!, liveId, a.id, 1000, 3000)).toMatchObject({
      ok: true,
      data: { leading: true, price: 1000 },
    });
    expect(await bid(y!, liveId, a.id, 1500)).toMatchObject({
      ok: true,
      data: { leading: false, price: 1600 },
    });
    // y with ceiling 4000 takes the lead at one increment over x's ceiling.
    expect(await bid(y!, liveId, a.id, 1700, 4000)).toMatchObject({
      ok: true,
      data: { leading: true, price: 3100 },
    });
    await waitFor(() => x!.outbid.length === 1, 5000, 'outbid notice');
    expect(x!.outbid[0]).toMatchObject({ auctionId: a.id, price: 3100, minBid: 3200 });
    // z bids exactly y's ceiling: the earlier ceiling wins the tie, at that ceiling.
    expect(await bid(z!, liveId, a.id, 4000)).toMatchObject({
      ok: true,
      data: { leading: false, price: 4000 },
    });
    // The leader raising their own ceiling moves nothing public.
    expect(await bid(y!, liveId, a.id, 4500, 9000)).toMatchObject({
      ok: true,
      data: { leading: true, price: 4000 },
    });
    expect(await bid(z!, liveId, a.id, 6000)).toMatchObject({
      ok: true,
      data: { leading: false, price: 6500 },
    });
    const view = (await call<{ auction: Auction }>(x!.socket, 'auction:get', {
      liveId,
      auctionId: a.id,
    })) as {
      data: { auction: Auction };
    };
    expect(view.data.auction).toMatchObject({
      price: 6500,
      leader: { id: y!.auth.user.id },
      bids: 5,
      minBid: 7000,
    });
    await waitFor(() => ofType(x!.events, 'auction:bid').length === 5, 5000, 'bid events');
    expect(ofType<AuctionBidEvent>(x!.events, 'auction:bid').map((e) => e.price)).toEqual([
      1000, 1600, 3100, 4000, 6500,
    ]);
    for (const b of [x, y, z]) b!.close();
  });

  it('hammers once; the winner pays the hammer price and settlement settles that one order once', async () => {
    const { host, liveId, open, product } = await auctionLive(s);
    const a = await open({
      durationSec: 5,
      mode: 'soft',
      softCloseSec: 2,
      maxExtendSec: 4,
      reservePrice: 1500,
    });
    const [x, y] = await bidders(s, liveId, 2);
    expect(await bid(x!, liveId, a.id, 1000)).toMatchObject({ ok: true });
    expect((await bid(y!, liveId, a.id, 1200)).ok).toBe(true);
    const reserveMet = await bid(x!, liveId, a.id, 1500);
    expect(reserveMet).toMatchObject({ ok: true, data: { leading: true, price: 1500 } });
    const won = await waitFor(() => x!.won[0], 15_000, 'auction:won');
    expect(won).toMatchObject({ auctionId: a.id, price: 1500, offer: 1, currency: 'CNY' });
    const hammer = ofType<AuctionHammerEvent>(y!.events, 'auction:hammer');
    expect(hammer).toEqual([
      expect.objectContaining({
        holder: { id: x!.auth.user.id, name: x!.auth.user.displayName },
        price: 1500,
      }),
    ]);
    // Its hold is a commerce reservation at the hammer price; pay through the existing flow.
    const paid = await pay(s, x!.auth.token, liveId, won.reservationId);
    expect(paid).toMatchObject({ status: 202, body: { total: 1500 } });
    await waitFor(
      async () => {
        const r = await request<{ orders: Array<{ unitPrice: number }> }>(
          s,
          'GET',
          `/api/lives/${liveId}/orders`,
          {
            token: x!.auth.token,
          },
        );
        return r.body.orders.length === 1 && r.body.orders[0]!.unitPrice === 1500;
      },
      10_000,
      'order',
    );
    await waitFor(() => ofType(y!.events, 'auction:sold').length === 1, 10_000, 'auction:sold');
    // The auction's sale is no flash sale in the lists.
    const sales = await request<{ sales: unknown[] }>(s, 'GET', `/api/lives/${liveId}/sales`, {
      token: y!.auth.token,
    });
    expect(sales.body.sales).toEqual([]);
    // End of live: the existing settlement settles the order once; a second run changes nothing.
    await http(s, 'POST', `/api/lives/${liveId}/end`, undefined, host.token);
    const job = await waitFor(
      () => s.built.deps.endQueue.getJob(`${COMMERCE_SETTLEMENT_STEP}-${liveId}`),
      10_000,
      'job',
    );
    await waitFor(async () => (await job.getState()) === 'completed', 30_000, 'settlement');
    const rv = (await s.built.deps.endQueue.getJob(job.id!))!.returnvalue as { reconciled: boolean };
    expect(rv.reconciled).toBe(true);
    const { rows } = await s.built.deps.db.query<{ n: number; status: string; unit_price: string }>(
      `SELECT count(*)::int AS n, min(status) AS status, min(unit_price)::text AS unit_price FROM orders
       WHERE live_id = $1 AND product_id = $2`,
      [liveId, product.id],
    );
    expect(rows[0]).toEqual({ n: 1, status: 'settled', unit_price: '1500' });
    // After the live, the room-keys step hands the auction's keys back to Redis (they expire).
    const { redis, keys } = s.built.deps;
    await waitFor(
      async () => (await redis.ttl(keys.auction(liveId, a.id))) > 0,
      30_000,
      'auction keys expire',
    );
    expect(await redis.ttl(keys.auctionBidders(liveId, a.id))).toBeGreaterThan(0);
    x!.close();
    y!.close();
  });

  it('keeps the item unsold below the reserve and refuses bids after the live ended', async () => {
    const { host, liveId, open } = await auctionLive(s);
    const a = await open({ durationSec: 5, mode: 'sudden', reservePrice: 5000 });
    const [x] = await bidders(s, liveId, 1);
    expect(await bid(x!, liveId, a.id, 1200)).toMatchObject({ ok: true });
    await waitFor(() => ofType(x!.events, 'auction:ended').length === 1, 15_000, 'auction:ended');
    expect(ofType(x!.events, 'auction:ended')[0]).toMatchObject({
      reason: 'reserve-not-met',
      status: 'unsold',
    });
    expect(x!.won).toEqual([]);
    const b = await open({ durationSec: 60 });
    await http(s, 'POST', `/api/lives/${liveId}/end`, undefined, host.token);
    const viewer = await guest(s, 'after');
    const late = await joinAs(s, viewer, liveId).catch(() => undefined);
    if (late) {
      expect(await bid(late, liveId, b.id, 5000)).toMatchObject({ ok: false });
      late.close();
    }
    expect(await bid(x!, liveId, b.id, 5000)).toMatchObject({ ok: false });
    x!.close();
  });
});
