/**
 * Auction storm (issue 14, benchmark #9): N joined bidders bid in the last `--window` seconds of a soft-close
 * auction (and on past the end until the cap, so late bids are refused), each a little above the high bid it
 * last saw. Measures accepted bids/s, bid → room-event latency (a bidder's send to its own `auction:bid` event
 * arriving in a frame) and bids per server CPU-second; verdicts (auction-verdicts.ts) from the events every
 * viewer saw, plus: no seq gap for any viewer, exactly one holder reservation at the hammer price, answers only
 * ok / BID_TOO_LOW / AUCTION_ENDED.
 */
import {
  type Auction,
  type AuctionBidEvent,
  type AuctionHammerEvent,
  type AuctionWon,
  type IncrementRow,
  incrementAt,
} from '@lc/contracts/auction.schema';
import { z } from 'zod';
import { measureRound } from '../lib/round-usage';
import { LatencyHistogram, nowMs, round } from '../lib/stats';
import { userIdOf } from '../lottery/lottery-api';
import { int, oneOf } from '../options';
import { swarmVerdict } from '../realtime/gap-checker';
import { CLIENT_KINDS, type ClientKind, connectClient } from '../realtime/room-client';
import { projectTarget } from '../realtime/room-targets';
import { closeSwarm, joinSwarm } from '../realtime/swarm';
import { defineScenario, type ScenarioResult, type Verdict } from '../scenario';
import { auctionVerdicts } from './auction-verdicts';

export const AuctionStormOptions = z.object({
  bidders: int(1, 19_000).default(2000),
  window: int(1, 60).default(3),
  softClose: int(1, 60).default(2),
  maxExtend: int(0, 600).default(4),
  client: oneOf(CLIENT_KINDS).default('wire'),
  concurrency: int(1, 5000).default(500),
});
type Opts = z.infer<typeof AuctionStormOptions>;

const INCREMENTS: IncrementRow[] = [
  { from: 0, step: 100 },
  { from: 5000, step: 500 },
];
const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

async function rest<T>(url: string, method: string, path: string, token: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

export const auctionStormScenario = defineScenario({
  name: 'auction-storm',
  summary:
    'N bidders storm the last seconds of a soft-close auction; increments, end rule, one winner, no gap',
  benchmark: '#9',
  options: AuctionStormOptions,
  help: {
    bidders: 'bidders joined and bidding (default 2000)',
    window: 'they bid in the last this many seconds before the scheduled end, and on to the cap (default 3)',
    softClose: 'soft-close window in seconds (default 2)',
    maxExtend: 'cap of the extensions past the scheduled end, seconds (default 4)',
    client: 'viewer implementation: wire (raw ws) or sio (socket.io-client)',
    concurrency: 'connections opened at once while joining (default 500)',
  },
  metrics: ['bids', 'accepted', 'accepted_per_s', 'bids_per_server_cpu_s', 'bid_event_p99', 'server_cpu_s'],
  async run(ctx, opts: Opts): Promise<ScenarioResult> {
    const say = (s: string) => ctx.progress.update(`auction-storm · ${s}`);
    const url = ctx.project.url;
    const target = projectTarget(ctx.project);
    const room = await target.prepare(opts.bidders, (n) => say(`guest tokens ${n}/${opts.bidders}`));
    const product = await rest<{ id: string }>(
      url,
      'POST',
      `/api/lives/${room.liveId}/products`,
      room.hostToken,
      {
        title: 'Auction lot',
        price: 100_000,
        currency: 'CNY',
        stock: 1,
      },
    );
    const host = await connectClient(opts.client as ClientKind, url, room.hostToken);
    const hostJoin = await host.call('live:join', { liveId: room.liveId });
    if (!hostJoin.ok) throw new Error(`host live:join failed: ${hostJoin.error.code}`);

    // Per bidder: the high bid it last saw, the send time of its bid in flight, its `auction:won` notices.
    const lastSeen: number[] = new Array(opts.bidders).fill(0);
    const inflight: number[] = new Array(opts.bidders).fill(0);
    const floor: number[] = new Array(opts.bidders).fill(0);
    const ids = room.viewerTokens.map(userIdOf);
    const latency = new LatencyHistogram();
    const events = { bids: [] as AuctionBidEvent[], hammers: [] as AuctionHammerEvent[] };
    const won: AuctionWon[] = [];
    const swarm = await joinSwarm({
      kind: opts.client as ClientKind,
      url,
      liveId: room.liveId,
      tokens: room.viewerTokens,
      concurrency: opts.concurrency,
      signal: ctx.signal,
      onProgress: (s) => say(`joining ${s.joined}/${opts.bidders}`),
      onFrame: (viewer, frame, at) => {
        for (const e of viewer.checker.accept(frame.events)) {
          if (e.type === 'auction:bid') {
            const d = e.data as AuctionBidEvent;
            lastSeen[viewer.index] = d.price;
            if (d.by.id === ids[viewer.index] && inflight[viewer.index]) {
              latency.record(at - inflight[viewer.index]!);
              inflight[viewer.index] = 0;
            }
            if (viewer.index === 0) events.bids.push(d);
          } else if (e.type === 'auction:hammer' && viewer.index === 0) {
            events.hammers.push(e.data as AuctionHammerEvent);
          }
        }
      },
    });
    const viewers = swarm.viewers;
    for (const v of viewers) v.client.on('auction:won', (p) => won.push(p as AuctionWon));

    const created = await host.call<{ auction: Auction }>('auction:create', {
      liveId: room.liveId,
      productId: product.id,
      startPrice: 1000,
      increments: INCREMENTS,
      durationSec: Math.max(5, opts.window + 2),
      mode: 'soft',
      softCloseSec: opts.softClose,
      maxExtendSec: opts.maxExtend,
    });
    if (!created.ok) throw new Error(`auction:create failed: ${created.error.code}`);
    const auction = created.data.auction;
    const from = auction.endsAt - opts.window * 1000;
    const until = auction.capAt + 300;
    const usage = await measureRound(ctx.project);
    const endBand = ctx.timeline.band('storm', 'project');
    say('storm');
    const answers: Record<string, number> = {};
    const accepted: number[] = [];
    let firstSend = Number.POSITIVE_INFINITY;
    let lastAck = 0;
    // Each bidder bids on a random cadence from `from` to past the cap, awaiting each answer.
    await Promise.all(
      viewers.map(async (v) => {
        let t = from + Math.random() * 1000;
        while (t < until && !ctx.signal.aborted) {
          await sleepUntil(t);
          // As a bidding app does: at least the next minimum it knows of (from events, or a refusal's minBid),
          // plus a random number of increments, so concurrent bids spread over prices instead of colliding.
          const p = lastSeen[v.index]!;
          const base = Math.max(
            p === 0 ? auction.startPrice : p + incrementAt(INCREMENTS, p),
            floor[v.index]!,
          );
          const amount = base + incrementAt(INCREMENTS, base) * Math.floor(Math.random() * 20);
          const sent = nowMs();
          firstSend = Math.min(firstSend, sent);
          inflight[v.index] = sent;
          const r = await v.client
            .call('auction:bid', { liveId: room.liveId, auctionId: auction.id, amount }, 30_000)
            .catch(() => ({ ok: false as const, error: { code: 'TIMEOUT' } }));
          lastAck = Math.max(lastAck, nowMs());
          const code = r.ok ? 'ok' : r.error.code;
          answers[code] = (answers[code] ?? 0) + 1;
          if (r.ok) accepted.push(amount);
          else {
            inflight[v.index] = 0;
            const min = (r.error as { details?: { minBid?: number } }).details?.minBid;
            if (min) floor[v.index] = Math.max(floor[v.index]!, min);
          }
          t = Date.now() + 500 + Math.random() * 1000;
        }
      }),
    );
    const { server, generator, serverSideCpuSeconds, machine } = await usage.stop();
    endBand();
    // The hammer follows the end within the auction clock's tick.
    const hammerBy = Date.now() + 10_000;
    while (events.hammers.length === 0 && Date.now() < hammerBy) await sleepUntil(Date.now() + 50);
    await sleepUntil(Date.now() + 500);
    const finalSeq = await target.finalSeq(room, 0).catch(() => 0);
    const verdicts: Verdict[] = auctionVerdicts(
      {
        startPrice: auction.startPrice,
        increments: INCREMENTS,
        mode: 'soft',
        softCloseMs: auction.softCloseMs,
        endsAt: auction.endsAt,
        capAt: auction.capAt,
      },
      events.bids,
      events.hammers,
      accepted,
    );
    const gaps = swarmVerdict(
      viewers.map((v) => v.checker),
      finalSeq,
    );
    const last = events.bids[events.bids.length - 1];
    const winnerIndex = last ? ids.indexOf(last.leader.id) : -1;
    const holds =
      winnerIndex >= 0
        ? (
            await rest<{ reservations: Array<{ saleId: string; unitPrice: number; status: string }> }>(
              url,
              'GET',
              `/api/lives/${room.liveId}/reservations`,
              room.viewerTokens[winnerIndex]!,
            ).catch(() => ({ reservations: [] }))
          ).reservations.filter((r) => r.saleId === auction.saleId)
        : [];
    verdicts.push(
      { name: 'every viewer saw every seq once, in order', pass: gaps.ok, detail: gaps.detail },
      {
        name: 'exactly one winner: one hold of the auction at the hammer price, one auction:won',
        pass: holds.length === 1 && holds[0]!.unitPrice === last?.price && won.length === 1,
        detail: `${holds.length} holds (${holds.map((h) => `${h.unitPrice} ${h.status}`).join(', ')}), ${won.length} auction:won`,
      },
      {
        name: 'answers only ok, BID_TOO_LOW, AUCTION_ENDED',
        pass: Object.keys(answers).every((c) => ['ok', 'BID_TOO_LOW', 'AUCTION_ENDED'].includes(c)),
        detail: JSON.stringify(answers),
      },
      {
        name: 'all bidders joined',
        pass: swarm.failed === 0 && viewers.length === opts.bidders,
        detail: `${viewers.length} of ${opts.bidders} joined`,
      },
    );
    host.close();
    await closeSwarm(viewers);
    const bids = Object.values(answers).reduce((n, x) => n + x, 0);
    const seconds = lastAck > firstSend ? (lastAck - firstSend) / 1000 : 0;
    const metrics = {
      bids,
      accepted: accepted.length,
      accepted_per_s: seconds > 0 ? round(accepted.length / seconds, 1) : null,
      bids_per_server_cpu_s: serverSideCpuSeconds ? round(bids / serverSideCpuSeconds, 0) : null,
      bid_event_p99: latency.summary().p99,
      server_cpu_s: serverSideCpuSeconds,
    };
    return {
      verdicts,
      metrics,
      comparisons: [],
      rounds: [
        {
          side: 'project',
          label: 'project',
          index: 0,
          metrics: {
            ...metrics,
            bid_event_p50: latency.summary().p50,
            final_price: last?.price ?? null,
            extensions_ms: last ? last.endsAt - auction.endsAt : null,
            server_peak_rss_mb: server.peakRssBytes === null ? null : round(server.peakRssBytes / 1e6, 1),
            generator_cpu_pct: generator.cpuPercent,
            machine_other_cpu_pct: machine.otherPct,
          },
          server,
          generator,
          machine,
          verdicts,
        },
      ],
      charts: {
        latency: {
          title: 'bid → own auction:bid event',
          series: [{ name: 'auction:bid', points: latency.buckets() }],
        },
      },
      notes: [
        `${viewers.length} bidders, each bidding every 0.5–1.5 s (awaiting its answer) at least the next minimum it knows of (events, or a refusal's minBid) plus 0–19 increments from ${opts.window} s before the scheduled end to past the cap; soft close ${opts.softClose} s, cap +${opts.maxExtend} s`,
        'accepted/s = accepted bids ÷ (first send → last answer); bids per server CPU-second = all answered bids (accepted or refused) ÷ the server side’s CPU-seconds over the storm',
        'bid → room event: the bidder’s send to its own auction:bid event arriving in a frame (accepted bids only)',
      ],
      details: { auctionId: auction.id, answers, finalPrice: last?.price ?? null, finalSeq },
    };
  },
});
