/**
 * End-of-live step `replay-chapters`: reads the live's moments (the uncapped list kept during the live, the room
 * log, the ledger's polls) and writes the recording's chapters with their offsets. The API node that recorded
 * finishes the last run's playlist (and the runs' lengths) shortly after the end; until then the step re-runs
 * itself a few seconds later — for at most FINISH_WAIT_MS, after which a run without a known length counts its
 * wall-clock span (the recording node died). Idempotent: chapters once.
 */

import { isChapterMoment } from '@lc/contracts/replay.schema';
import type { RoomEvent } from '@lc/contracts/room.schema';
import type { EndOfLiveStep, StepContext } from '../../jobs/end-of-live';
import { createRecordingsRepo } from '../../ledger/recordings.repo';
import { parseEntry, type RawEntry } from '../../realtime/room-log';
import { buildChapters } from './chapters';

const FINISH_WAIT_MS = 120_000;
const RETRY_MS = 3_000;

export function replayChaptersStep(deps: {
  rerunAt(step: string, liveId: string, endedAt: string, at: number): Promise<unknown>;
  now?: () => number;
}): EndOfLiveStep {
  const now = deps.now ?? Date.now;
  const name = 'replay-chapters';
  const waiting = async ({ liveId, endedAt, db }: StepContext) => {
    const repo = createRecordingsRepo(db);
    const rec = await repo.get(liveId);
    if (!rec || rec.chapters) return false;
    const unfinished =
      rec.status === 'recording' || (await repo.runs(liveId)).some((r) => r.seconds === null);
    return unfinished && now() - Date.parse(endedAt) < FINISH_WAIT_MS;
  };
  return {
    name,
    roomKeys: {
      async done(ctx) {
        const rec = await createRecordingsRepo(ctx.db).get(ctx.liveId);
        return !rec || rec.chapters !== null || !(await waiting(ctx));
      },
    },
    async run(ctx) {
      const { liveId, endedAt, db } = ctx;
      const repo = createRecordingsRepo(db);
      const rec = await repo.get(liveId);
      if (!rec) return { recording: false };
      if (rec.chapters) return { chapters: rec.chapters.length, already: true };
      if (await waiting(ctx)) {
        await deps.rerunAt(name, liveId, endedAt, now() + RETRY_MS);
        return { waiting: 'the recording node is finishing the playlist' };
      }
      const runs = await repo.runs(liveId);
      const spans = runs.map((r) => ({
        run: r.run,
        startedAt: r.startedAt,
        endedAt: r.endedAt,
        seconds: r.seconds ?? ((r.endedAt ?? Date.parse(endedAt)) - r.startedAt) / 1000,
      }));
      const chapters = buildChapters(await momentsOf(ctx), spans);
      await repo.setChapters(liveId, chapters);
      return { chapters: chapters.length };
    },
  };
}

/**
 * What the chapters are made of: the moments kept during the live (uncapped) merged by seq with what the capped
 * room log still holds (events appended by scripts of their own, and any a crash kept out of the moments), and
 * the polls closed as the ledger recorded them.
 */
async function momentsOf({ liveId, db, redis, keys }: StepContext): Promise<RoomEvent[]> {
  const bySeq = new Map<number, RoomEvent>();
  for (const raw of await redis.lrange(keys.moments(liveId), 0, -1)) {
    const e = JSON.parse(raw) as RoomEvent;
    bySeq.set(e.seq, e);
  }
  const log = ((await redis.xrange(keys.log(liveId), '-', '+')) as RawEntry[]).map(parseEntry);
  for (const e of log) if (!bySeq.has(e.seq) && isChapterMoment(e.type, e.data)) bySeq.set(e.seq, e);
  const events = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  const { rows } = await db.query<{ question: string; closed_at: Date }>(
    'SELECT question, closed_at FROM polls WHERE live_id = $1 AND closed_at IS NOT NULL ORDER BY closed_at',
    [liveId],
  );
  for (const p of rows) {
    events.push({ seq: 0, type: 'poll:closed', at: p.closed_at.getTime(), data: { question: p.question } });
  }
  return events;
}
