/** Recordings of lives and their runs (`recordings`, `recording_runs`): what the replay routes and chapters read. */
import type { Db } from './db';

export interface RecordingRun {
  run: number;
  startedAt: number;
  endedAt: number | null;
  endReason: string | null;
  seconds: number | null;
}
export interface Chapter {
  type: string;
  label: string;
  at: number;
  offsetMs: number;
  productId?: string;
}
export interface RecordingRow {
  liveId: string;
  status: 'recording' | 'ended' | 'stopped';
  stopReason: string | null;
  published: boolean;
  bytes: number;
  durationMs: number;
  chapters: Chapter[] | null;
  startedAt: string;
  endedAt: string | null;
}

interface Row {
  live_id: string;
  status: RecordingRow['status'];
  stop_reason: string | null;
  published: boolean;
  bytes: string | number;
  duration_ms: string | number;
  chapters: Chapter[] | null;
  started_at: Date;
  ended_at: Date | null;
}
const toRecording = (r: Row): RecordingRow => ({
  liveId: r.live_id,
  status: r.status,
  stopReason: r.stop_reason,
  published: r.published,
  bytes: Number(r.bytes),
  durationMs: Number(r.duration_ms),
  chapters: r.chapters,
  startedAt: r.started_at.toISOString(),
  endedAt: r.ended_at?.toISOString() ?? null,
});

export function createRecordingsRepo(db: Db) {
  return {
    /** Opens the live's recording (or keeps the existing one) and records a run starting; idempotent per run. */
    async runStarted(liveId: string, run: number, at: number): Promise<void> {
      await db.tx(async (q) => {
        await q.query(
          `INSERT INTO recordings (live_id, status, started_at) VALUES ($1, 'recording', $2)
           ON CONFLICT (live_id) DO NOTHING`,
          [liveId, new Date(at)],
        );
        await q.query(
          `INSERT INTO recording_runs (live_id, run, started_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
          [liveId, run, new Date(at)],
        );
      });
    },
    async runEnded(liveId: string, run: number, at: number, reason: string): Promise<void> {
      await db.query(
        `UPDATE recording_runs SET ended_at = $3, end_reason = $4
         WHERE live_id = $1 AND run = $2 AND ended_at IS NULL`,
        [liveId, run, new Date(at), reason],
      );
    },
    /** The next run number of a live (a recording resumed after a restart continues its numbering). */
    async nextRun(liveId: string): Promise<number> {
      const { rows } = await db.query<{ n: number }>(
        'SELECT coalesce(max(run), 0)::int + 1 AS n FROM recording_runs WHERE live_id = $1',
        [liveId],
      );
      return rows[0]!.n;
    },
    async runs(liveId: string): Promise<RecordingRun[]> {
      const { rows } = await db.query<{
        run: number;
        started_at: Date;
        ended_at: Date | null;
        end_reason: string | null;
        seconds: number | null;
      }>(
        'SELECT run, started_at, ended_at, end_reason, seconds FROM recording_runs WHERE live_id = $1 ORDER BY run',
        [liveId],
      );
      return rows.map((r) => ({
        run: r.run,
        startedAt: r.started_at.getTime(),
        endedAt: r.ended_at?.getTime() ?? null,
        endReason: r.end_reason,
        seconds: r.seconds === null ? null : Number(r.seconds),
      }));
    },
    /** Recording finished: the live ended ('ended') or recording was stopped with a reason ('stopped'). */
    async finish(
      liveId: string,
      f: { status: 'ended' | 'stopped'; reason?: string; at: number; bytes: number; durationMs: number },
    ): Promise<void> {
      await db.query(
        `UPDATE recordings SET status = $2, stop_reason = coalesce(stop_reason, $3), ended_at = coalesce(ended_at, $4),
           bytes = $5, duration_ms = $6
         WHERE live_id = $1`,
        [liveId, f.status, f.reason ?? null, new Date(f.at), f.bytes, f.durationMs],
      );
    },
    async setRunSeconds(liveId: string, run: number, seconds: number): Promise<void> {
      await db.query('UPDATE recording_runs SET seconds = $3 WHERE live_id = $1 AND run = $2', [
        liveId,
        run,
        seconds,
      ]);
    },
    async setSize(liveId: string, bytes: number, durationMs: number): Promise<void> {
      await db.query('UPDATE recordings SET bytes = $2, duration_ms = $3 WHERE live_id = $1', [
        liveId,
        bytes,
        durationMs,
      ]);
    },
    async setChapters(liveId: string, chapters: Chapter[]): Promise<void> {
      await db.query('UPDATE recordings SET chapters = $2::jsonb WHERE live_id = $1', [
        liveId,
        JSON.stringify(chapters),
      ]);
    },
    async setPublished(liveId: string, published: boolean): Promise<void> {
      await db.query('UPDATE recordings SET published = $2 WHERE live_id = $1', [liveId, published]);
    },
    async get(liveId: string): Promise<RecordingRow | undefined> {
      const { rows } = await db.query<Row>('SELECT * FROM recordings WHERE live_id = $1', [liveId]);
      return rows[0] && toRecording(rows[0]);
    },
    /** The recordings of a host's lives, newest first. */
    async listByHost(hostId: string): Promise<Array<RecordingRow & { title: string }>> {
      const { rows } = await db.query<Row & { title: string }>(
        `SELECT r.*, l.title FROM recordings r JOIN lives l ON l.id = r.live_id
         WHERE l.host_id = $1 ORDER BY r.started_at DESC`,
        [hostId],
      );
      return rows.map((r) => ({ ...toRecording(r), title: r.title }));
    },
    async delete(liveId: string): Promise<boolean> {
      const { rows } = await db.query<{ live_id: string }>(
        'DELETE FROM recordings WHERE live_id = $1 RETURNING live_id',
        [liveId],
      );
      return rows.length > 0;
    },
    /** Recordings that ended before `before` (retention). */
    async endedBefore(before: number): Promise<string[]> {
      const { rows } = await db.query<{ live_id: string }>(
        `SELECT live_id FROM recordings WHERE status <> 'recording' AND ended_at < $1`,
        [new Date(before)],
      );
      return rows.map((r) => r.live_id);
    },
  };
}
export type RecordingsRepo = ReturnType<typeof createRecordingsRepo>;
