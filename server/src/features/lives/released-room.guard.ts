/**
 * Join guard for an ended live whose room keys were released (`room-keys` step, ROOM_KEYS_RETAIN_SEC): its
 * room log is gone (seq 0; ending a live always logs an event, so an ended live with its log has seq ≥ 1).
 * A join or snapshot then gets LIVE_ENDED instead of an empty room that would look like a live without
 * comments, likes or polls, and a join does not re-create presence keys that would never expire. The live's
 * figures stay in the ledger (live stats, interaction stats, poll results, commerce report).
 */
import { AppError } from '@lc/contracts/errors';
import type { JoinGuard } from '../../realtime/join-hooks';
import type { RoomLog } from '../../realtime/room-log';

export function releasedRoomGuard(roomLog: Pick<RoomLog, 'currentSeq'>): JoinGuard {
  return async ({ live }) => {
    if (live.status !== 'ended') return;
    if ((await roomLog.currentSeq(live.id)) === 0)
      throw new AppError(
        'LIVE_ENDED',
        'the live has ended and its room was closed; its results are in the ledger',
      );
  };
}
