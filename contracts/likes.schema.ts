/** Likes (batched taps) and like goals. */
import { z } from 'zod';
import { plainText } from './text';

const liveId = z.string().uuid();

/** Clients batch taps (about one message per second); the server caps count per message and per second. */
export const LikeTapPayload = z.object({ liveId, count: z.number().int().min(1).max(10_000) });
export type LikeTapPayload = z.infer<typeof LikeTapPayload>;

export const LikeGoal = z.object({
  id: z.string(),
  threshold: z.number().int().positive(),
  label: z.string().nullable(),
  /** Epoch ms when the total reached it (null: not yet). */
  reachedAt: z.number().int().nullable(),
});
export type LikeGoal = z.infer<typeof LikeGoal>;

export const LikeGoalAddPayload = z.object({
  liveId,
  threshold: z.number().int().min(1).max(1_000_000_000_000),
  label: plainText(60).optional(),
});
export type LikeGoalAddPayload = z.infer<typeof LikeGoalAddPayload>;

export const LikeGoalRemovePayload = z.object({
  liveId,
  goalId: z.string().regex(/^g_[A-Za-z0-9_-]{6,40}$/),
});
export type LikeGoalRemovePayload = z.infer<typeof LikeGoalRemovePayload>;

export const LikesSnapshot = z.object({ total: z.number().int().nonnegative(), goals: z.array(LikeGoal) });
export type LikesSnapshot = z.infer<typeof LikesSnapshot>;

/** data of a `goal:reached` room event. */
export type GoalReached = { goal: { id: string; threshold: number; label: string | null }; total: number };

export const LIKE_EVENT = {
  /** data: GoalReached — fired exactly once per goal across all nodes */
  goalReached: 'goal:reached',
} as const;

export const MAX_LIKE_GOALS = 20;
