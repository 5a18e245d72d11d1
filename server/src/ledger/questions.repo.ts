/** Questions and their upvotes (`questions`, `question_votes`): the Q&A record kept for the post-live report. */
import type { Question } from '@lc/contracts/qa.schema';
import type { Db } from './db';

interface Row {
  id: string;
  author_id: string;
  author_name: string;
  text: string;
  votes: number;
  status: Question['status'];
  pinned: boolean;
  created_at: Date;
}

const toQuestion = (r: Row): Question => ({
  id: r.id,
  text: r.text,
  by: { id: r.author_id, name: r.author_name },
  votes: r.votes,
  status: r.status,
  pinned: r.pinned,
  at: r.created_at.getTime(),
});

const COLS = 'id, author_id, author_name, text, votes, status, pinned, created_at';

export function createQuestionsRepo(db: Db) {
  return {
    async insert(q: {
      id: string;
      liveId: string;
      author: { id: string; name: string };
      text: string;
      at: Date;
    }) {
      const { rows } = await db.query<Row>(
        `INSERT INTO questions (id, live_id, author_id, author_name, text, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLS}`,
        [q.id, q.liveId, q.author.id, q.author.name, q.text, q.at],
      );
      return toQuestion(rows[0]!);
    },
    async find(liveId: string, id: string): Promise<Question | null> {
      const { rows } = await db.query<Row>(`SELECT ${COLS} FROM questions WHERE live_id = $1 AND id = $2`, [
        liveId,
        id,
      ]);
      return rows[0] ? toQuestion(rows[0]) : null;
    },
    /** Not dismissed: pinned first, then most votes, then oldest. */
    async list(liveId: string, limit: number): Promise<Question[]> {
      const { rows } = await db.query<Row>(
        `SELECT ${COLS} FROM questions WHERE live_id = $1 AND status <> 'dismissed'
         ORDER BY pinned DESC, votes DESC, created_at ASC, id LIMIT $2`,
        [liveId, limit],
      );
      return rows.map(toQuestion);
    },
    /** Everyone who has a vote on a question of the live. */
    async voters(liveId: string): Promise<string[]> {
      const { rows } = await db.query<{ user_id: string }>(
        `SELECT DISTINCT v.user_id FROM question_votes v JOIN questions q ON q.id = v.question_id
         WHERE q.live_id = $1`,
        [liveId],
      );
      return rows.map((r) => r.user_id);
    },
    async votedBy(liveId: string, userId: string): Promise<string[]> {
      const { rows } = await db.query<{ question_id: string }>(
        `SELECT v.question_id FROM question_votes v JOIN questions q ON q.id = v.question_id
         WHERE q.live_id = $1 AND v.user_id = $2`,
        [liveId, userId],
      );
      return rows.map((r) => r.question_id);
    },
    /**
     * Toggles the user's upvote in one transaction: a second toggle takes it back.
     * NOTE: the primary key makes a concurrent double-insert count once.
     */
    toggleVote(questionId: string, userId: string): Promise<{ voted: boolean; votes: number }> {
      return db.tx(async (q) => {
        const del = await q.query('DELETE FROM question_votes WHERE question_id = $1 AND user_id = $2', [
          questionId,
          userId,
        ]);
        if (del.rowCount === 1) {
          const { rows } = await q.query<{ votes: number }>(
            'UPDATE questions SET votes = votes - 1 WHERE id = $1 RETURNING votes',
            [questionId],
          );
          return { voted: false, votes: rows[0]!.votes };
        }
        const ins = await q.query(
          'INSERT INTO question_votes (question_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
          [questionId, userId],
        );
        const { rows } = await q.query<{ votes: number }>(
          ins.rowCount === 1
            ? 'UPDATE questions SET votes = votes + 1 WHERE id = $1 RETURNING votes'
            : 'SELECT votes FROM questions WHERE id = $1',
          [questionId],
        );
        return { voted: true, votes: rows[0]!.votes };
      });
    },
    async votes(ids: string[]): Promise<Record<string, number>> {
      if (ids.length === 0) return {};
      const { rows } = await db.query<{ id: string; votes: number }>(
        'SELECT id, votes FROM questions WHERE id = ANY($1::uuid[])',
        [ids],
      );
      return Object.fromEntries(rows.map((r) => [r.id, r.votes]));
    },
    /** Applies a moderation action; pinning unpins the live's other question. Returns the changed questions. */
    moderate(liveId: string, id: string, action: 'answer' | 'pin' | 'unpin' | 'dismiss' | 'reopen') {
      return db.tx(async (q) => {
        const sql: Record<typeof action, string> = {
          answer: `UPDATE questions SET status = 'answered', answered_at = now() WHERE live_id = $1 AND id = $2 RETURNING ${COLS}`,
          dismiss: `UPDATE questions SET status = 'dismissed', pinned = false WHERE live_id = $1 AND id = $2 RETURNING ${COLS}`,
          reopen: `UPDATE questions SET status = 'open', answered_at = NULL WHERE live_id = $1 AND id = $2 RETURNING ${COLS}`,
          unpin: `UPDATE questions SET pinned = false WHERE live_id = $1 AND id = $2 RETURNING ${COLS}`,
          pin: `UPDATE questions SET pinned = (id = $2) WHERE live_id = $1 AND (pinned OR id = $2) RETURNING ${COLS}`,
        };
        const { rows } = await q.query<Row>(sql[action], [liveId, id]);
        return rows.map(toQuestion);
      });
    },
    async count(liveId: string): Promise<number> {
      const { rows } = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM questions WHERE live_id = $1',
        [liveId],
      );
      return rows[0]!.n;
    },
  };
}
export type QuestionsRepo = ReturnType<typeof createQuestionsRepo>;
