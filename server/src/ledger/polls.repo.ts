/** Polls and their results (`polls`, `poll_votes`): opened rows, then tallies and every vote once closed. */
import type { Poll } from '@lc/contracts/poll.schema';
import type { Db } from './db';

export function createPollsRepo(db: Db) {
  return {
    async insert(p: Omit<Poll, 'status' | 'tallies' | 'total'> & { liveId: string; createdBy: string }) {
      await db.query(
        `INSERT INTO polls (id, live_id, question, options, created_by, opened_at, closes_at)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)`,
        [
          p.id,
          p.liveId,
          p.question,
          JSON.stringify(p.options),
          p.createdBy,
          new Date(p.openedAt),
          new Date(p.closesAt),
        ],
      );
    },
    /**
     * Records the final result and every vote; idempotent (a second call, from another node or a retry,
     * changes nothing).
     */
    async recordResult(poll: Poll, votes: Record<string, string>): Promise<void> {
      await db.tx(async (q) => {
        await q.query(
          `UPDATE polls SET closed_at = $2, tallies = $3::jsonb, total_votes = $4 WHERE id = $1 AND closed_at IS NULL`,
          [poll.id, new Date(poll.closesAt), JSON.stringify(poll.tallies), poll.total],
        );
        const entries = Object.entries(votes);
        for (let i = 0; i < entries.length; i += 500) {
          const chunk = entries.slice(i, i + 500);
          const params: unknown[] = [poll.id];
          const values = chunk.map(([user, option], j) => {
            params.push(user, Number(option));
            return `($1, $${2 + 2 * j}, $${3 + 2 * j})`;
          });
          await q.query(
            `INSERT INTO poll_votes (poll_id, user_id, option) VALUES ${values.join(', ')} ON CONFLICT DO NOTHING`,
            params,
          );
        }
      });
    },
    async count(liveId: string): Promise<number> {
      const { rows } = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM polls WHERE live_id = $1',
        [liveId],
      );
      return rows[0]!.n;
    },
  };
}
export type PollsRepo = ReturnType<typeof createPollsRepo>;
