/** Socket commands for live rooms: join (snapshot or exact replay), leave, and host controls. */
import { AppError } from '@lc/contracts/errors';
import type { JoinResult } from '@lc/contracts/room.schema';
import { AnnouncePayload, JoinPayload, LiveRef, ROOM_EVENT } from '@lc/contracts/room.schema';
import { defineHandler } from '../../realtime/define-handler';
import type { JoinHooks } from '../../realtime/join-hooks';
import type { Membership } from '../../realtime/membership';
import type { PresenceStore } from '../../realtime/presence';
import type { RoomLog } from '../../realtime/room-log';
import type { Snapshots } from '../../realtime/snapshot';
import type { LivesService } from './lives.service';

export function livesSocketHandlers(deps: {
  lives: LivesService;
  membership: Membership;
  roomLog: RoomLog;
  presence: PresenceStore;
  snapshots: Snapshots;
  /** Feature guards (bans) and after-join hooks (staff rooms, share attribution). */
  joinHooks?: JoinHooks;
}) {
  const { lives, membership, roomLog, snapshots } = deps;
  return [
    defineHandler({
      event: 'live:join',
      schema: JoinPayload,
      async run({ socket }, { liveId, lastSeq, ref }): Promise<JoinResult> {
        const user = socket.data.user;
        const { live, role } = await lives.roleIn(user, liveId);
        await deps.joinHooks?.check({ user, live, role, socket, ref });
        await membership.join(socket, liveId, role);
        await deps.joinHooks?.joined({ user, live, role, socket, ref });
        if (lastSeq !== undefined) {
          const since = await roomLog.since(liveId, lastSeq);
          if (since.ok) {
            return {
              mode: 'replay',
              seq: since.seq,
              events: since.events,
              presence: await deps.presence.get(liveId),
              role,
            };
          }
          return {
            mode: 'snapshot',
            reason: since.reason,
            snapshot: await snapshots.build(liveId, user, role),
          };
        }
        return {
          mode: 'snapshot',
          reason: 'first-join',
          snapshot: await snapshots.build(liveId, user, role),
        };
      },
    }),
    defineHandler({
      event: 'live:leave',
      schema: LiveRef,
      async run({ socket }, { liveId }) {
        return { left: await membership.leave(socket, liveId) };
      },
    }),
    defineHandler({
      event: 'live:announce',
      schema: AnnouncePayload,
      roles: ['host'],
      async run({ socket }, { liveId, text }) {
        const live = await lives.get(liveId);
        if (live.status === 'ended') throw new AppError('LIVE_ENDED', 'the live has ended');
        const ev = await roomLog.append(liveId, ROOM_EVENT.announcement, {
          text,
          by: { id: socket.data.user.sub, name: socket.data.user.name },
        });
        return { seq: ev.seq };
      },
    }),
    defineHandler({
      event: 'live:start',
      schema: LiveRef,
      roles: ['host'],
      run: ({ socket }, { liveId }) => lives.start(socket.data.user, liveId),
    }),
    defineHandler({
      event: 'live:end',
      schema: LiveRef,
      roles: ['host'],
      run: ({ socket }, { liveId }) => lives.end(socket.data.user, liveId),
    }),
  ];
}
