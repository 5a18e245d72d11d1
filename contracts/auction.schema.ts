/**
 * Live auctions (issue #14): one open auction per live on a product, bids through one Redis script on the
 * Redis server clock, proxy (max) bids resolved as an English auction, soft close with a cap or sudden death,
 * a reserve price, and the winner's order at the hammer price through commerce's reservation and payment.
 */
import { z } from 'zod';
import { MinorAmount, Uuid } from './commerce.schema';

/** One row of the increment table: from this price on, a bid must top the high bid by at least `step`. */
export const IncrementRow = z.object({ from: MinorAmount, step: MinorAmount.min(1) });
export type IncrementRow = z.infer<typeof IncrementRow>;

/** The increment over `price` by the table: the step of the last row whose `from` ≤ price. */
export function incrementAt(rows: readonly IncrementRow[], price: number): number {
  let step = rows[0]!.step;
  for (const r of rows) if (price >= r.from) step = r.step;
  return step;
}

export const DEFAULT_INCREMENTS: IncrementRow[] = [
  { from: 0, step: 100 },
  { from: 10_000, step: 500 },
  { from: 100_000, step: 2_000 },
];

export const AuctionCreatePayload = z
  .object({
    liveId: Uuid,
    productId: Uuid,
    startPrice: MinorAmount.min(1),
    /** Below it the item stays unsold (0: no reserve). Viewers see only whether it is met. */
    reservePrice: MinorAmount.default(0),
    /** Ascending `from`, the first from 0; at most 10 rows. */
    increments: z.array(IncrementRow).min(1).max(10).default(DEFAULT_INCREMENTS),
    durationSec: z.number().int().min(5).max(3600).default(30),
    /** `soft`: a bid in the last `softCloseSec` pushes the end to bid time + softCloseSec, never past the cap. */
    mode: z.enum(['soft', 'sudden']).default('soft'),
    softCloseSec: z.number().int().min(1).max(120).default(10),
    /** The soft-close cap: the end never moves past the scheduled end + this. */
    maxExtendSec: z.number().int().min(0).max(3600).default(60),
    /** How long a winner (or a runner-up offered the item) has to start paying. */
    payWindowSec: z.number().int().min(5).max(86_400).default(300),
  })
  .strict()
  .superRefine((p, ctx) => {
    p.increments.forEach((row, i) => {
      if (i === 0 && row.from !== 0)
        ctx.addIssue({
          code: 'custom',
          path: ['increments', 0, 'from'],
          message: 'the first row starts at 0',
        });
      if (i > 0 && row.from <= p.increments[i - 1]!.from) {
        ctx.addIssue({ code: 'custom', path: ['increments', i, 'from'], message: 'rows ascend by from' });
      }
    });
  });
export type AuctionCreatePayload = z.infer<typeof AuctionCreatePayload>;

export const AuctionRefPayload = z.object({ liveId: Uuid, auctionId: Uuid }).strict();
export type AuctionRefPayload = z.infer<typeof AuctionRefPayload>;

/** A bid of `amount`; `max` (≥ amount) makes it a proxy bid that rises by increments for you up to `max`. */
export const AuctionBidPayload = z
  .object({ liveId: Uuid, auctionId: Uuid, amount: MinorAmount.min(1), max: MinorAmount.optional() })
  .strict()
  .refine((p) => p.max === undefined || p.max >= p.amount, {
    message: 'max must be at least amount',
    path: ['max'],
  });
export type AuctionBidPayload = z.infer<typeof AuctionBidPayload>;

export const AuctionStatus = z.enum(['open', 'awarded', 'sold', 'unsold', 'cancelled']);
export type AuctionStatus = z.infer<typeof AuctionStatus>;

export const Bidder = z.object({ id: z.string(), name: z.string() });
export type Bidder = z.infer<typeof Bidder>;

export const Auction = z.object({
  id: Uuid,
  liveId: Uuid,
  productId: Uuid,
  /** The commerce sale (one unit) the winner's reservation and order belong to. */
  saleId: Uuid,
  title: z.string(),
  imageUrl: z.string().nullable(),
  currency: z.string(),
  startPrice: z.number().int(),
  hasReserve: z.boolean(),
  reserveMet: z.boolean(),
  increments: z.array(IncrementRow),
  mode: z.enum(['soft', 'sudden']),
  softCloseMs: z.number().int(),
  startsAt: z.number().int(),
  /** Server clock; moves with soft-close bids, never past `capAt`. */
  endsAt: z.number().int(),
  capAt: z.number().int(),
  status: AuctionStatus,
  /** The high bid (null before the first bid). */
  price: z.number().int().nullable(),
  leader: Bidder.nullable(),
  /** The lowest bid accepted now. */
  minBid: z.number().int(),
  bids: z.number().int(),
  /** After the hammer: who holds the item now (winner, or a runner-up offered it) and by when they pay. */
  holder: Bidder.nullable(),
  holderPrice: z.number().int().nullable(),
  payBy: z.number().int().nullable(),
  /** 1 = the winner; 2, 3… = runners-up offered it after a non-payment. */
  offer: z.number().int(),
});
export type Auction = z.infer<typeof Auction>;

export const AUCTION_EVENT = {
  started: 'auction:started',
  /** Every accepted bid that moved the high bid: data `AuctionBidEvent`. */
  bid: 'auction:bid',
  /** The hammer fell: the winner holds the item at `price` until `payBy`. */
  hammer: 'auction:hammer',
  /** A runner-up was offered the item after the previous holder did not pay. */
  offered: 'auction:offered',
  sold: 'auction:sold',
  /** No sale: `reason` no-bids | reserve-not-met | unpaid | live-ended. */
  ended: 'auction:ended',
} as const;

export interface AuctionBidEvent {
  auctionId: string;
  /** The new high bid and who leads (a proxy may defend the previous leader). */
  price: number;
  leader: Bidder;
  /** Who placed the bid that caused this. */
  by: Bidder;
  /** The bid's time on the server clock and the end after it. */
  at: number;
  endsAt: number;
  bids: number;
  reserveMet: boolean;
}

export interface AuctionHammerEvent {
  auctionId: string;
  holder: Bidder;
  price: number;
  payBy: number;
  offer: number;
}

/** Ack of `auction:bid`. */
export const AuctionBidResult = z.object({
  leading: z.boolean(),
  price: z.number().int(),
  endsAt: z.number().int(),
  /** Your standing maximum (the proxy ceiling). */
  yourMax: z.number().int(),
  minBid: z.number().int(),
  /** The room event of this bid when it moved the public price; absent when the leader only raised their ceiling. */
  seq: z.number().int().optional(),
});
export type AuctionBidResult = z.infer<typeof AuctionBidResult>;

/** To the user: you were outbid. */
export interface AuctionOutbid {
  liveId: string;
  auctionId: string;
  price: number;
  minBid: number;
}
/** To the user: the item is yours to pay (winner or runner-up). */
export interface AuctionWon {
  liveId: string;
  auctionId: string;
  reservationId: string;
  price: number;
  currency: string;
  payBy: number;
  offer: number;
}

export const AuctionsSnapshot = z.object({
  /** The live's auctions, newest first (the first is the current one). */
  auctions: z.array(Auction),
  /** Your proxy ceiling in each auction you bid in. */
  myMax: z.record(z.string(), z.number().int()),
});
export type AuctionsSnapshot = z.infer<typeof AuctionsSnapshot>;
