/** The audit log of crisis alerts (`crisis_alerts`): one row per alert raised. */
import type { ModerationAlert } from '@lc/contracts/growth.schema';
import type { Queryable } from './db';

export async function insertCrisisAlert(q: Queryable, a: ModerationAlert): Promise<void> {
  await q.query(
    `INSERT INTO crisis_alerts (live_id, negative, total, window_sec, ratio, samples, raised_at)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)`,
    [a.liveId, a.negative, a.total, a.windowSec, a.ratio, JSON.stringify(a.samples), new Date(a.at)],
  );
}

export async function crisisAlertsOf(q: Queryable, liveId: string): Promise<ModerationAlert[]> {
  const { rows } = await q.query<{
    negative: number;
    total: number;
    window_sec: number;
    ratio: number;
    samples: string[];
    raised_at: Date;
  }>('SELECT * FROM crisis_alerts WHERE live_id = $1 ORDER BY id LIMIT 1000', [liveId]);
  return rows.map((r) => ({
    liveId,
    kind: 'negative-comments',
    negative: r.negative,
    total: r.total,
    windowSec: r.window_sec,
    ratio: r.ratio,
    samples: r.samples,
    at: r.raised_at.getTime(),
  }));
}
