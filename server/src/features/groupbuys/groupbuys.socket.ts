/** Socket commands of group buys: offer (host), join / start (joined viewers only), link (members). */
import { GroupBuyGroupRef, GroupBuyJoinPayload, GroupBuyOfferPayload } from '@lc/contracts/groupbuy.schema';
import { defineHandler } from '../../realtime/define-handler';
import { requireJoined } from '../comments/comments.socket';
import type { GroupBuysService } from './groupbuys.service';

export function groupBuySocketHandlers(deps: { groupBuys: GroupBuysService }) {
  const { groupBuys } = deps;
  return [
    defineHandler({
      event: 'groupbuy:offer',
      schema: GroupBuyOfferPayload,
      roles: ['host'],
      run: async ({ socket }, p) => ({ offer: await groupBuys.create(socket.data.user, p) }),
    }),
    defineHandler({
      event: 'groupbuy:join',
      schema: GroupBuyJoinPayload,
      // NOTE: staff cannot join: the host's own seats would fill groups for show.
      roles: ['viewer'],
      async run({ socket }, p) {
        requireJoined(socket, p.liveId);
        return groupBuys.join(socket.data.user, p);
      },
    }),
    defineHandler({
      event: 'groupbuy:link',
      schema: GroupBuyGroupRef,
      async run({ socket }, p) {
        requireJoined(socket, p.liveId);
        return groupBuys.link(socket.data.user, p);
      },
    }),
  ];
}
