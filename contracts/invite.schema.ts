/**
 * Invites / assists (助力, issue #14): the host sets a live's invite goal and its reward (a coupon of the live);
 * a viewer shares a signed invite link; each distinct invitee joining through it counts once for its sharer
 * (not the sharer, not the sharer's device, one count per user and per device in the live); at the goal the
 * sharer gets the coupon, once. Points as a reward are a follow-up (issue #13 builds points).
 */
import { z } from 'zod';
import { Uuid } from './commerce.schema';

export const InviteCampaignPayload = z
  .object({ liveId: Uuid, goal: z.number().int().min(1).max(1000), couponId: Uuid })
  .strict();
export type InviteCampaignPayload = z.infer<typeof InviteCampaignPayload>;

export const InviteCampaign = z.object({ goal: z.number().int(), couponId: Uuid });
export type InviteCampaign = z.infer<typeof InviteCampaign>;

export const InviteLink = z.object({
  /** `<PUBLIC_URL>/?live=<liveId>&ref=<ref>` */
  url: z.string(),
  /** `inv.<sharerId>.<sharer device>.<signature>`: join with it as `ref`. */
  ref: z.string(),
  progress: z.number().int(),
  goal: z.number().int(),
});
export type InviteLink = z.infer<typeof InviteLink>;

/** To the sharer, live: one more invitee counted (and the reward once the goal is reached). */
export interface InviteProgress {
  liveId: string;
  count: number;
  goal: number;
  /** Set once: the coupon claim the sharer received. */
  reward: { couponId: string; claimNo: number } | null;
}

export const InvitesSnapshot = z.object({
  campaign: InviteCampaign.nullable(),
  /** The caller's invitees counted, and their reward claim number once granted. */
  mine: z.object({ count: z.number().int(), rewardClaimNo: z.number().int().nullable() }),
});
export type InvitesSnapshot = z.infer<typeof InvitesSnapshot>;
