/**
 * End-of-live step `replay-comments`: archives the comments the room log holds at the end (published, not deleted)
 * for the replay's read-only overlay. Reads the room keys, so the `room-keys` step runs it again right before
 * releasing them; idempotent (one row per live and seq). NOTE: the log keeps ROOM_LOG_MAX_LEN events, so a long,
 * chatty live keeps only its last comments.
 */
import { COMMENT_EVENT, type Comment } from '@lc/contracts/comment.schema';
import type { EndOfLiveStep } from '../../jobs/end-of-live';
import { createRecordingsRepo } from '../../ledger/recordings.repo';
import { createReplayCommentsRepo, type ReplayCommentRow } from '../../ledger/replay-comments.repo';
import { parseEntry, type RawEntry } from '../../realtime/room-log';

export const REPLAY_COMMENTS_STEP = 'replay-comments';

export function replayCommentsStep(): EndOfLiveStep {
  return {
    name: REPLAY_COMMENTS_STEP,
    roomKeys: 'reads',
    async run({ liveId, db, redis, keys }) {
      if (!(await createRecordingsRepo(db).get(liveId))) return { recording: false };
      const events = ((await redis.xrange(keys.log(liveId), '-', '+')) as RawEntry[]).map(parseEntry);
      const deleted = new Set(
        events.filter((e) => e.type === COMMENT_EVENT.deleted).map((e) => (e.data as { id: string }).id),
      );
      const rows: ReplayCommentRow[] = [];
      for (const e of events) {
        if (e.type !== COMMENT_EVENT.new) continue;
        const c = e.data as Comment;
        if (deleted.has(c.id)) continue;
        rows.push({ seq: e.seq, commentId: c.id, at: c.at ?? e.at, name: c.by.name, text: c.text });
      }
      await createReplayCommentsRepo(db).insert(liveId, rows);
      return { comments: rows.length };
    },
  };
}
