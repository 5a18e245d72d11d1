/** Socket commands of moderation: the host appoints moderators; staff mute, ban, shadow-ban and pin. */
import {
  BanPayload,
  MutePayload,
  PinPayload,
  ShadowPayload,
  UserTargetPayload,
} from '@lc/contracts/moderation.schema';
import { LiveRef } from '@lc/contracts/room.schema';
import { defineHandler } from '../../realtime/define-handler';
import type { ModerationService } from './moderation.service';

const STAFF = ['host', 'moderator'] as const;

export function moderationSocketHandlers(deps: { moderation: ModerationService }) {
  const m = deps.moderation;
  return [
    defineHandler({
      event: 'mod:appoint',
      schema: UserTargetPayload,
      roles: ['host'],
      run: ({ socket }, { liveId, userId }) => m.appoint(socket.data.user, liveId, userId),
    }),
    defineHandler({
      event: 'mod:revoke',
      schema: UserTargetPayload,
      roles: ['host'],
      run: ({ socket }, { liveId, userId }) => m.revoke(socket.data.user, liveId, userId),
    }),
    defineHandler({
      event: 'mod:mute',
      schema: MutePayload,
      roles: STAFF,
      run: ({ socket, role }, { liveId, userId, durationSec }) =>
        m.mute(socket.data.user, role!, liveId, userId, durationSec),
    }),
    defineHandler({
      event: 'mod:unmute',
      schema: UserTargetPayload,
      roles: STAFF,
      run: ({ socket }, { liveId, userId }) => m.unmute(socket.data.user, liveId, userId),
    }),
    defineHandler({
      event: 'mod:ban',
      schema: BanPayload,
      roles: STAFF,
      run: ({ socket, role }, { liveId, userId, reason }) =>
        m.ban(socket.data.user, role!, liveId, userId, reason),
    }),
    defineHandler({
      event: 'mod:unban',
      schema: UserTargetPayload,
      roles: STAFF,
      run: ({ socket }, { liveId, userId }) => m.unban(socket.data.user, liveId, userId),
    }),
    defineHandler({
      event: 'mod:shadow',
      schema: ShadowPayload,
      roles: STAFF,
      run: ({ socket, role }, { liveId, userId, on }) =>
        m.shadow(socket.data.user, role!, liveId, userId, on),
    }),
    defineHandler({
      event: 'mod:pin',
      schema: PinPayload,
      roles: STAFF,
      run: ({ socket }, { liveId, text }) => m.pin(socket.data.user, liveId, text),
    }),
    defineHandler({
      event: 'mod:unpin',
      schema: LiveRef,
      roles: STAFF,
      run: ({ socket }, { liveId }) => m.unpin(socket.data.user, liveId),
    }),
  ];
}
