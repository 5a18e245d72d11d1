/**
 * End-of-live step `live-stats`: records the room's audience figures (peak, unique viewers, room events) in the
 * ledger. Idempotent: the first run writes the row, later runs find it and change nothing.
 */
import type { EndOfLiveStep } from '../../jobs/end-of-live';

export const liveStatsStep: EndOfLiveStep = {
  name: 'live-stats',
  async run({ liveId, db, redis, keys }) {
    const res = await redis
      .multi()
      .get(keys.peak(liveId))
      .scard(keys.uniqueViewers(liveId))
      .get(keys.seq(liveId))
      .exec();
    const n = (i: number) => Number(res?.[i]?.[1] ?? 0);
    const { rowCount } = await db.query(
      `INSERT INTO live_stats (live_id, peak_online, unique_viewers, room_events)
       VALUES ($1, $2, $3, $4) ON CONFLICT (live_id) DO NOTHING`,
      [liveId, n(0), n(1), n(2)],
    );
    return { written: rowCount === 1, peakOnline: n(0), uniqueViewers: n(1), roomEvents: n(2) };
  },
};
