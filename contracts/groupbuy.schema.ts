/**
 * Group buys (拼团, issue #14): the host offers a product at a group price to groups of `groupSize`; a viewer
 * starts a group (its leader) or joins an open one within the group's time limit. Each member holds one unit
 * (a commerce reservation at the group price) and pays it through commerce's payment flow. A full group keeps
 * its orders; a group that expires unfilled releases every hold and refunds every payment, once.
 */
import { z } from 'zod';
import { MinorAmount, Uuid } from './commerce.schema';

export const GroupBuyOfferPayload = z
  .object({
    liveId: Uuid,
    productId: Uuid,
    groupPrice: MinorAmount.min(1),
    groupSize: z.number().int().min(2).max(50),
    /** Units drawn from the product's stock for every group of this offer together. */
    units: z.number().int().min(2).max(100_000),
    /** A group must fill within this many seconds of its start. */
    limitSec: z.number().int().min(5).max(86_400),
    /** New groups may start for this long (default: one hour). */
    openSec: z.number().int().min(5).max(86_400).default(3600),
    /** Members of a full group must pay within this long of the group's time limit. */
    payWindowSec: z.number().int().min(5).max(86_400).default(300),
  })
  .strict()
  .refine((p) => p.units >= p.groupSize, { message: 'units must cover one group', path: ['units'] });
export type GroupBuyOfferPayload = z.infer<typeof GroupBuyOfferPayload>;

/** Start a group (no `groupId`) or join one; `ref` is a leader's signed share link (attributes the join). */
export const GroupBuyJoinPayload = z
  .object({
    liveId: Uuid,
    offerId: Uuid,
    groupId: Uuid.optional(),
    ref: z.string().min(1).max(300).optional(),
  })
  .strict();
export type GroupBuyJoinPayload = z.infer<typeof GroupBuyJoinPayload>;

export const GroupBuyGroupRef = z.object({ liveId: Uuid, groupId: Uuid }).strict();
export type GroupBuyGroupRef = z.infer<typeof GroupBuyGroupRef>;

export const GroupBuyOffer = z.object({
  id: Uuid,
  liveId: Uuid,
  productId: Uuid,
  /** The commerce sale whose units and reservations back the offer's groups. */
  saleId: Uuid,
  title: z.string(),
  currency: z.string(),
  listPrice: z.number().int(),
  groupPrice: z.number().int(),
  groupSize: z.number().int(),
  limitMs: z.number().int(),
  /** Server clock: no group starts after it. */
  closesAt: z.number().int(),
});
export type GroupBuyOffer = z.infer<typeof GroupBuyOffer>;

export const GroupStatus = z.enum(['open', 'filled', 'expired']);
export type GroupStatus = z.infer<typeof GroupStatus>;

export const GroupBuyGroup = z.object({
  id: Uuid,
  offerId: Uuid,
  leader: z.object({ id: z.string(), name: z.string() }),
  size: z.number().int(),
  members: z.number().int(),
  status: GroupStatus,
  /** Server clock: the group must fill before it. */
  expiresAt: z.number().int(),
});
export type GroupBuyGroup = z.infer<typeof GroupBuyGroup>;

export const GroupBuyJoinResult = z.object({
  group: GroupBuyGroup,
  /** The caller's hold at the group price: pay it with POST …/reservations/:id/pay. */
  reservationId: Uuid,
  payBy: z.number().int(),
});
export type GroupBuyJoinResult = z.infer<typeof GroupBuyJoinResult>;

export const GroupBuyLink = z.object({ url: z.string(), ref: z.string(), groupId: Uuid });
export type GroupBuyLink = z.infer<typeof GroupBuyLink>;

export const GroupBuysSnapshot = z.object({
  offers: z.array(GroupBuyOffer),
  /** Open groups of the live's offers (oldest first, at most 50 per offer). */
  groups: z.array(GroupBuyGroup),
  /** The caller's groups: offer id → group id. */
  mine: z.record(z.string(), z.string()),
});
export type GroupBuysSnapshot = z.infer<typeof GroupBuysSnapshot>;

export const GROUPBUY_EVENT = {
  offered: 'groupbuy:offered',
  /** A member joined (a group's start included): data {offerId, groupId, members, size, leader, expiresAt}. */
  progress: 'groupbuy:progress',
  /** The last seat was taken: every member's order stands. */
  filled: 'groupbuy:filled',
  /** The time limit passed unfilled: holds released, payments refunded. */
  expired: 'groupbuy:expired',
} as const;
