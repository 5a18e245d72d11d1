/** Replays (issue #17): a live's recording, its chapters, and the host's controls. */
import { z } from 'zod';
import { ReserveBody } from './commerce.schema';

export const CHAPTER_TYPES = [
  'product-pinned',
  'sale-opened',
  'sale-sold-out',
  'sale-closed',
  'lottery-drawn',
  'question-answered',
  'poll-closed',
  'goal-reached',
] as const;
export const ChapterType = z.enum(CHAPTER_TYPES);

/** A moment of the live in the recording: `offsetMs` from the start of the replay's playlist. */
export const Chapter = z.object({
  type: ChapterType,
  label: z.string(),
  /** When it happened during the live (epoch ms, server clock). */
  at: z.number().int(),
  offsetMs: z.number().int().nonnegative(),
  productId: z.string().uuid().optional(),
});
export type Chapter = z.infer<typeof Chapter>;

/**
 * Room events a chapter is made of, kept for the whole live in an uncapped list beside the capped room log (the
 * log may drop them on a long live before the chapters step reads it). `poll:closed` comes from the ledger.
 */
export function isChapterMoment(type: string, data: unknown): boolean {
  const d = (data ?? {}) as Record<string, unknown>;
  switch (type) {
    case 'product:upserted':
    case 'product:pinned':
    case 'sale:scheduled':
    case 'sale:closed':
    case 'lottery:drawn':
    case 'goal:reached':
      return true;
    case 'sale:stock':
      return d.soldOut === true;
    case 'qa:updated':
      return d.status === 'answered';
    default:
      return false;
  }
}

export const RecordingStatus = z.enum(['recording', 'ended', 'stopped']);
export const Recording = z.object({
  liveId: z.string().uuid(),
  title: z.string().optional(),
  status: RecordingStatus,
  /** Why recording stopped before the live ended (`quota`, `disk-full`). */
  stopReason: z.string().nullable(),
  published: z.boolean(),
  bytes: z.number().int().nonnegative(),
  durationMs: z.number().int().nonnegative(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  /** Null until the end-of-live chapters step ran. */
  chapters: z.array(Chapter).nullable(),
  /** Gaps in the recording (a run ended and the next began later): wall-clock spans, ms. */
  gaps: z.array(z.object({ from: z.number().int(), to: z.number().int(), reason: z.string() })),
  playlistUrl: z.string(),
});
export type Recording = z.infer<typeof Recording>;

export const PublishBody = z.object({ published: z.boolean() });
export const RecordingFileParams = z.object({ liveId: z.string().uuid(), file: z.string().max(64) });

/** Buying from the replay: the product shown, and where in the recording the viewer is (the attribution). */
export const ReplayReserveBody = z.object({
  productId: z.string().uuid(),
  quantity: ReserveBody.shape.quantity,
  /** Position in the stitched recording (ms), at most its length. */
  offsetMs: z
    .number()
    .int()
    .nonnegative()
    .max(7 * 24 * 3600 * 1000),
});
export type ReplayReserveBody = z.infer<typeof ReplayReserveBody>;

/** A comment of the live as the replay shows it: where it was said in the recording. Text is text, never HTML. */
export const ReplayComment = z.object({
  seq: z.number().int(),
  offsetMs: z.number().int().nonnegative(),
  name: z.string(),
  text: z.string(),
});
export type ReplayComment = z.infer<typeof ReplayComment>;
export const ReplayCommentsQuery = z.object({
  afterSeq: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
export const ReplayCommentsPage = z.object({
  comments: z.array(ReplayComment),
  /** Pass as `afterSeq` for the next page; null at the end. */
  next: z.number().int().nullable(),
});
export type ReplayCommentsPage = z.infer<typeof ReplayCommentsPage>;
