/** Q&A: questions viewers ask and upvote; the host and moderators answer, pin and dismiss. */
import { z } from 'zod';
import { plainText } from './text';

const liveId = z.string().uuid();

export const QuestionStatus = z.enum(['open', 'answered', 'dismissed']);
export const Question = z.object({
  id: z.string(),
  text: z.string(),
  by: z.object({ id: z.string(), name: z.string() }),
  votes: z.number().int().nonnegative(),
  status: QuestionStatus,
  pinned: z.boolean(),
  /** Epoch ms. */
  at: z.number().int(),
});
export type Question = z.infer<typeof Question>;

export const QUESTION_MAX_CHARS_DEFAULT = 300;
export const qaAskPayload = (maxChars = QUESTION_MAX_CHARS_DEFAULT) =>
  z.object({ liveId, text: plainText(maxChars) });
export type QaAskPayload = z.infer<ReturnType<typeof qaAskPayload>>;

export const QaVotePayload = z.object({ liveId, questionId: z.string().uuid() });
export type QaVotePayload = z.infer<typeof QaVotePayload>;

export const QaModerateAction = z.enum(['answer', 'pin', 'unpin', 'dismiss', 'reopen']);
export const QaModeratePayload = z.object({
  liveId,
  questionId: z.string().uuid(),
  action: QaModerateAction,
});
export type QaModeratePayload = z.infer<typeof QaModeratePayload>;

/** `features.qa` of the join snapshot: questions not dismissed, pinned first, then by votes, then oldest. */
export const QaSnapshot = z.object({ questions: z.array(Question), myVotes: z.array(z.string()) });
export type QaSnapshot = z.infer<typeof QaSnapshot>;

export const QA_EVENT = {
  /** data: Question */
  asked: 'qa:asked',
  /** data: Question (status or pin changed) */
  updated: 'qa:updated',
  /** data: { votes: { [questionId]: number } } — coalesced, at most every COUNTERS_BROADCAST_MS per node */
  votes: 'qa:votes',
} as const;
