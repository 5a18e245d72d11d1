/** The replay's comments (migration 042): archived once at the end of the live, read in pages by seq. */
import type { Db } from './db';

export interface ReplayCommentRow {
  seq: number;
  commentId: string;
  at: number;
  name: string;
  text: string;
}

export function createReplayCommentsRepo(db: Db) {
  return {
    /** Idempotent: a comment (live, seq) is written once. */
    async insert(liveId: string, rows: readonly ReplayCommentRow[]): Promise<void> {
      for (let i = 0; i < rows.length; i += 1000) {
        const part = rows.slice(i, i + 1000);
        await db.query(
          `INSERT INTO replay_comments (live_id, seq, comment_id, at, author_name, text)
           SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::timestamptz[], $5::text[], $6::text[])
           ON CONFLICT (live_id, seq) DO NOTHING`,
          [
            liveId,
            part.map((r) => r.seq),
            part.map((r) => r.commentId),
            part.map((r) => new Date(r.at)),
            part.map((r) => r.name),
            part.map((r) => r.text),
          ],
        );
      }
    },
    /** Up to `limit` comments after `afterSeq`, in seq order. */
    async page(liveId: string, afterSeq: number, limit: number): Promise<ReplayCommentRow[]> {
      const { rows } = await db.query<{
        seq: string;
        comment_id: string;
        at: Date;
        author_name: string;
        text: string;
      }>(
        `SELECT seq, comment_id, at, author_name, text FROM replay_comments
         WHERE live_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
        [liveId, afterSeq, limit],
      );
      return rows.map((r) => ({
        seq: Number(r.seq),
        commentId: r.comment_id,
        at: r.at.getTime(),
        name: r.author_name,
        text: r.text,
      }));
    },
  };
}
export type ReplayCommentsRepo = ReturnType<typeof createReplayCommentsRepo>;
