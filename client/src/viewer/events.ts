/**
 * Room event names the viewer panels handle: copies of the contracts' constants, checked by the compiler
 * (`satisfies`), so the viewer bundle doesn't ship zod (the schema modules' import) just to read a few strings.
 */
import type { AUCTION_EVENT as Auction } from '@lc/contracts/auction.schema';
import type { COMMERCE_EVENT as Commerce } from '@lc/contracts/commerce.schema';
import type { GROUPBUY_EVENT as GroupBuy } from '@lc/contracts/groupbuy.schema';
import type { LOTTERY_EVENT as Lottery } from '@lc/contracts/lottery.schema';
import type { POLL_EVENT as Poll } from '@lc/contracts/poll.schema';
import type { QA_EVENT as Qa } from '@lc/contracts/qa.schema';

export const COMMERCE_EVENT = {
  productUpserted: 'product:upserted',
  productRemoved: 'product:removed',
  productPinned: 'product:pinned',
  saleScheduled: 'sale:scheduled',
  saleClosed: 'sale:closed',
  saleStock: 'sale:stock',
  couponCreated: 'coupon:created',
  couponUnlocked: 'coupon:unlocked',
} as const satisfies typeof Commerce;

export const LOTTERY_EVENT = {
  created: 'lottery:created',
  drawn: 'lottery:drawn',
} as const satisfies typeof Lottery;
export const POLL_EVENT = { opened: 'poll:opened', closed: 'poll:closed' } as const satisfies typeof Poll;
export const QA_EVENT = {
  asked: 'qa:asked',
  updated: 'qa:updated',
  votes: 'qa:votes',
} as const satisfies typeof Qa;
export const GROUPBUY_EVENT = {
  offered: 'groupbuy:offered',
  progress: 'groupbuy:progress',
  filled: 'groupbuy:filled',
  expired: 'groupbuy:expired',
} as const satisfies typeof GroupBuy;
export const AUCTION_EVENT = {
  started: 'auction:started',
  bid: 'auction:bid',
  hammer: 'auction:hammer',
  offered: 'auction:offered',
  sold: 'auction:sold',
  ended: 'auction:ended',
} as const satisfies typeof Auction;
