/**
 * Auctions (issue #14): socket commands, the snapshot part (the live's auctions and the caller's ceilings),
 * personal notices (`auction:outbid`, `auction:won`) and the auction clock on every API node. The item, its
 * reservation, payment and order are commerce's: settlement confirms a paid win like any order.
 */
import { defineFeature } from '../../composition/feature';
import { createProductsRepo } from '../../ledger/products.repo';
import { createSalesRepo } from '../../ledger/sales.repo';
import { createAuctionClock } from './auction-clock';
import { type AuctionsService, createAuctionsService } from './auctions.service';
import { auctionSocketHandlers } from './auctions.socket';

declare module '../../composition/services' {
  interface Services {
    auctions: AuctionsService;
  }
}

export const auctionsFeature = defineFeature({
  name: 'auctions',
  api(ctx) {
    const { config, redis, keys, scripts, actions, log } = ctx;
    const commerce = ctx.use('commerce');
    const auctions = createAuctionsService({
      redis,
      keys,
      scripts,
      commerce,
      salesRepo: createSalesRepo(ctx.db, createProductsRepo(ctx.db)),
      notices: { outbid: (userId, p) => actions.toUser(userId, 'auction:outbid', p) },
      roomLogMaxLen: config.ROOM_LOG_MAX_LEN,
    });
    ctx.snapshots.contribute('auctions', {
      room: async (live) => ({ auctions: await auctions.list(live.id) }),
      viewer: async ({ live, user }, room) => ({
        ...room,
        myMax: await auctions.myMax(live.id, user.sub, room.auctions.slice(0, 1)),
      }),
    });
    ctx.handle(...auctionSocketHandlers({ auctions }));
    const clock = createAuctionClock({
      redis,
      scripts,
      keys,
      sweeper: commerce.sweeper,
      roomLogMaxLen: config.ROOM_LOG_MAX_LEN,
      won: (userId, p) => actions.toUser(userId, 'auction:won', p),
      onError: (err) => log.warn({ err }, 'auction clock step failed'),
    });
    ctx.onStart('auction-clock', () => {
      clock.start(config.AUCTION_TICK_MS);
      return () => clock.stop();
    });
    ctx.provide('auctions', auctions);
  },
});
