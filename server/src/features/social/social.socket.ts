/** Socket commands: follow / unfollow the live's host, make a share link (joined sockets). */
import { LiveRef } from '@lc/contracts/room.schema';
import { FollowPayload } from '@lc/contracts/social.schema';
import { defineHandler } from '../../realtime/define-handler';
import { requireJoined } from '../comments/comments.socket';
import type { SocialService } from './social.service';

export function socialSocketHandlers(deps: { social: SocialService }) {
  const { social } = deps;
  return [
    defineHandler({
      event: 'follow:set',
      schema: FollowPayload,
      run: ({ socket }, { liveId, follow }) => social.followLive(socket.data.user, liveId, follow),
    }),
    defineHandler({
      event: 'share:create',
      schema: LiveRef,
      async run({ socket }, { liveId }) {
        requireJoined(socket, liveId);
        return social.share(socket.data.user, liveId);
      },
    }),
  ];
}
