/** Follows (viewers follow the host) and shares (links carrying the sharer's id; joins through them counted). */
import { z } from 'zod';

const liveId = z.string().uuid();

export const FollowPayload = z.object({ liveId, follow: z.boolean() });
export type FollowPayload = z.infer<typeof FollowPayload>;
export const FollowState = z.object({ following: z.boolean(), followers: z.number().int().nonnegative() });
export type FollowState = z.infer<typeof FollowState>;
export const HostParams = z.object({ hostId: z.string().min(1).max(64) });

export const ShareLink = z.object({
  /** `<PUBLIC_URL>/?live=<liveId>&ref=<ref>` */
  url: z.string(),
  /** `<sharerId>.<signature>`: carries the sharer's id; the signature stops forged attribution. */
  ref: z.string(),
  /** Links this user made for this live. */
  shares: z.number().int().positive(),
});
export type ShareLink = z.infer<typeof ShareLink>;

export const ShareStats = z.object({
  shares: z.number().int().nonnegative(),
  joins: z.number().int().nonnegative(),
  bySharer: z.array(z.object({ sharerId: z.string(), shares: z.number().int(), joins: z.number().int() })),
});
export type ShareStats = z.infer<typeof ShareStats>;

export const SocialSnapshot = z.object({ followers: z.number().int(), following: z.boolean() });
export type SocialSnapshot = z.infer<typeof SocialSnapshot>;
