/** Socket commands of invites: the campaign (host) and a viewer's invite link (joined sockets). */
import { InviteCampaignPayload } from '@lc/contracts/invite.schema';
import { LiveRef } from '@lc/contracts/room.schema';
import { defineHandler } from '../../realtime/define-handler';
import { requireJoined } from '../comments/comments.socket';
import type { InvitesService } from './invites.service';

export function inviteSocketHandlers(deps: { invites: InvitesService }) {
  const { invites } = deps;
  return [
    defineHandler({
      event: 'invite:campaign',
      schema: InviteCampaignPayload,
      roles: ['host'],
      run: async ({ socket }, p) => ({ campaign: await invites.setCampaign(socket.data.user, p) }),
    }),
    defineHandler({
      event: 'invite:create',
      schema: LiveRef,
      async run({ socket }, { liveId }) {
        requireJoined(socket, liveId);
        return invites.link(socket.data.user, liveId);
      },
    }),
  ];
}
