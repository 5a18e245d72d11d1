/** Polls: the host asks, viewers vote once, tallies go out at a bounded rate, the server clock closes it. */
import { z } from 'zod';
import { plainText } from './text';

const liveId = z.string().uuid();

export const PollCreatePayload = z.object({
  liveId,
  question: plainText(200),
  options: z.array(plainText(80)).min(2).max(6),
  durationSec: z.number().int().min(5).max(3600),
});
export type PollCreatePayload = z.infer<typeof PollCreatePayload>;

export const Poll = z.object({
  id: z.string(),
  question: z.string(),
  options: z.array(z.string()),
  /** Server epoch ms (clients compare with the snapshot's `serverTime` to learn their offset). */
  openedAt: z.number().int(),
  closesAt: z.number().int(),
  status: z.enum(['open', 'closed']),
  /** Votes per option, same order as `options`. */
  tallies: z.array(z.number().int().nonnegative()),
  total: z.number().int().nonnegative(),
});
export type Poll = z.infer<typeof Poll>;

export const PollVotePayload = z.object({
  liveId,
  pollId: z.string().uuid(),
  option: z.number().int().min(0).max(5),
});
export type PollVotePayload = z.infer<typeof PollVotePayload>;

export const PollClosePayload = z.object({ liveId, pollId: z.string().uuid() });
export type PollClosePayload = z.infer<typeof PollClosePayload>;

export const PollSnapshot = z.object({ poll: Poll.nullable(), myVote: z.number().int().nullable() });
export type PollSnapshot = z.infer<typeof PollSnapshot>;

export const POLL_EVENT = {
  /** data: Poll (tallies all 0) */
  opened: 'poll:opened',
  /** data: Poll with the final tallies — exactly once per poll */
  closed: 'poll:closed',
} as const;
