/** Socket commands of auctions: create (host), bid (joined viewers only: not the host, not moderators), get. */
import { AuctionBidPayload, AuctionCreatePayload, AuctionRefPayload } from '@lc/contracts/auction.schema';
import { defineHandler } from '../../realtime/define-handler';
import { requireJoined } from '../comments/comments.socket';
import type { AuctionsService } from './auctions.service';

export function auctionSocketHandlers(deps: { auctions: AuctionsService }) {
  const { auctions } = deps;
  return [
    defineHandler({
      event: 'auction:create',
      schema: AuctionCreatePayload,
      roles: ['host'],
      run: async ({ socket }, p) => ({ auction: await auctions.create(socket.data.user, p) }),
    }),
    defineHandler({
      event: 'auction:bid',
      schema: AuctionBidPayload,
      // NOTE: staff cannot bid: the host (and their moderators) would be shill bidding.
      roles: ['viewer'],
      async run({ socket }, p) {
        requireJoined(socket, p.liveId);
        return auctions.bid(socket.data.user, p);
      },
    }),
    defineHandler({
      event: 'auction:get',
      schema: AuctionRefPayload,
      async run({ socket }, p) {
        requireJoined(socket, p.liveId);
        return { auction: await auctions.get(p.liveId, p.auctionId) };
      },
    }),
  ];
}
