import type { AuctionBidEvent, AuctionHammerEvent } from '@lc/contracts/auction.schema';
import { describe, expect, it } from 'vitest';
import { type AuctionRules, auctionVerdicts } from './auction-verdicts';

const rules: AuctionRules = {
  startPrice: 1000,
  increments: [
    { from: 0, step: 100 },
    { from: 5000, step: 500 },
  ],
  mode: 'soft',
  softCloseMs: 2000,
  endsAt: 10_000,
  capAt: 14_000,
};
const ev = (
  bids: number,
  price: number,
  at: number,
  endsAt: number,
  leader = `u${bids}`,
): AuctionBidEvent => ({
  auctionId: 'a',
  price,
  leader: { id: leader, name: leader },
  by: { id: leader, name: leader },
  at,
  endsAt,
  bids,
  reserveMet: true,
});
const good = [
  ev(1, 1000, 5000, 10_000),
  ev(2, 1100, 9000, 11_000),
  ev(3, 5000, 10_500, 12_500),
  ev(4, 5500, 12_400, 14_000),
];
const hammer = (holder: string, price: number): AuctionHammerEvent => ({
  auctionId: 'a',
  holder: { id: holder, name: holder },
  price,
  payBy: 0,
  offer: 1,
});
const failing = (v: ReturnType<typeof auctionVerdicts>) => v.filter((x) => !x.pass).map((x) => x.name);

describe('auction storm verdicts', () => {
  it('pass a storm that keeps every rule', () => {
    expect(failing(auctionVerdicts(rules, good, [hammer('u4', 5500)], [1000, 1100, 5000, 5500]))).toEqual([]);
  });

  it('fail a bid below the increment, a late bid, a wrong end, a lost bid and a second hammer', () => {
    const low = [...good.slice(0, 3), ev(4, 5400, 12_400, 14_000)];
    expect(failing(auctionVerdicts(rules, low, [hammer('u4', 5400)], [1000, 1100, 5000, 5400]))).toEqual([
      'every accepted bid tops the previous by at least the increment',
    ]);
    const late = [...good.slice(0, 3), ev(4, 5500, 12_600, 14_000)];
    expect(failing(auctionVerdicts(rules, late, [hammer('u4', 5500)], [1000, 1100, 5000, 5500]))).toContain(
      'no bid accepted at or after the end',
    );
    const pastCap = [...good.slice(0, 3), ev(4, 5500, 12_400, 14_400)];
    expect(failing(auctionVerdicts(rules, pastCap, [hammer('u4', 5500)], [1000, 1100, 5000, 5500]))).toEqual([
      'the end moved exactly by the soft-close rule, never past the cap',
    ]);
    expect(
      failing(auctionVerdicts(rules, good, [hammer('u4', 5500)], [1000, 1100, 5000, 5500, 9000])),
    ).toEqual(['one accepted answer per bid event; the final price is the highest accepted bid']);
    expect(
      failing(
        auctionVerdicts(rules, good, [hammer('u4', 5500), hammer('u3', 5000)], [1000, 1100, 5000, 5500]),
      ),
    ).toEqual(['exactly one hammer, to the last leader at the final price']);
  });
});
