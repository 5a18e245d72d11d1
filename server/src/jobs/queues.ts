/** Queue names and job payload schemas: the contract between the API node (producer) and the worker. */
import { z } from 'zod';

export const QUEUE = {
  endOfLive: 'end-of-live',
} as const;

export const EndOfLivePayload = z.object({ liveId: z.string().uuid(), endedAt: z.string() });
export type EndOfLivePayload = z.infer<typeof EndOfLivePayload>;

/** Deterministic ids make scheduling idempotent: enqueueing twice is a no-op. */
export const jobId = {
  endLive: (liveId: string) => `end-live-${liveId}`,
  step: (step: string, liveId: string) => `${step}-${liveId}`,
};
