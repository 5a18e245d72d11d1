/**
 * End-of-live step `interaction-stats`: writes the live's interaction figures (likes, comments published,
 * questions, polls, shares and joins through them) and the per-sharer attribution to the ledger for the
 * post-live report. Idempotent: the first run writes the rows, later runs find them and change nothing.
 */
import type { EndOfLiveStep } from '../../jobs/end-of-live';

export const interactionStatsStep: EndOfLiveStep = {
  name: 'interaction-stats',
  roomKeys: 'reads',
  async run({ liveId, db, redis, keys }) {
    const res = await redis
      .multi()
      .get(keys.likes(liveId))
      .hlen(keys.commentIndex(liveId))
      .hgetall(keys.shares(liveId))
      .hgetall(keys.shareJoins(liveId))
      .exec();
    const likes = Number(res?.[0]?.[1] ?? 0);
    const comments = Number(res?.[1]?.[1] ?? 0);
    const shares = (res?.[2]?.[1] as Record<string, string>) ?? {};
    const joins = (res?.[3]?.[1] as Record<string, string>) ?? {};
    const sharers = [...new Set([...Object.keys(shares), ...Object.keys(joins)])];
    const sum = (h: Record<string, string>) => Object.values(h).reduce((n, v) => n + Number(v), 0);
    return db.tx(async (q) => {
      const counts = await q.query<{ questions: number; polls: number }>(
        `SELECT (SELECT count(*)::int FROM questions WHERE live_id = $1) AS questions,
                (SELECT count(*)::int FROM polls WHERE live_id = $1) AS polls`,
        [liveId],
      );
      const { questions, polls } = counts.rows[0]!;
      const { rowCount } = await q.query(
        `INSERT INTO live_interaction_stats (live_id, likes, comments, questions, polls, shares, share_joins)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (live_id) DO NOTHING`,
        [liveId, likes, comments, questions, polls, sum(shares), sum(joins)],
      );
      for (const sharer of sharers) {
        await q.query(
          `INSERT INTO live_shares (live_id, sharer_id, shares, joins) VALUES ($1, $2, $3, $4)
           ON CONFLICT (live_id, sharer_id) DO NOTHING`,
          [liveId, sharer, Number(shares[sharer] ?? 0), Number(joins[sharer] ?? 0)],
        );
      }
      return { written: rowCount === 1, likes, comments, questions, polls, sharers: sharers.length };
    });
  },
};
