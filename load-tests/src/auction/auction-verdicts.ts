/**
 * Verdicts of an auction storm, from what viewers saw (the `auction:bid` and `auction:hammer` room events) and
 * what bidders were answered: each accepted bid tops the previous by at least the increment and was placed
 * before the end at that moment, the end moved exactly by the soft-close rule and never past the cap, the
 * final price is the highest accepted bid, exactly one hammer to the last leader at that price.
 */
import {
  type AuctionBidEvent,
  type AuctionHammerEvent,
  type IncrementRow,
  incrementAt,
} from '@lc/contracts/auction.schema';
import type { Verdict } from '../scenario';

export interface AuctionRules {
  startPrice: number;
  increments: IncrementRow[];
  mode: 'soft' | 'sudden';
  softCloseMs: number;
  /** The scheduled end and the cap (server clock). */
  endsAt: number;
  capAt: number;
}

export function auctionVerdicts(
  rules: AuctionRules,
  bids: readonly AuctionBidEvent[],
  hammers: readonly AuctionHammerEvent[],
  accepted: readonly number[],
): Verdict[] {
  const problems = { increment: [] as string[], end: [] as string[], late: [] as string[] };
  let prevPrice: number | undefined;
  let prevEnd = rules.endsAt;
  for (const e of bids) {
    const min =
      prevPrice === undefined ? rules.startPrice : prevPrice + incrementAt(rules.increments, prevPrice);
    if (e.price < min) problems.increment.push(`bid ${e.bids}: ${e.price} after ${prevPrice} (min ${min})`);
    if (e.at >= prevEnd) problems.late.push(`bid ${e.bids} at ${e.at} ≥ end ${prevEnd}`);
    const expected =
      rules.mode === 'soft' && prevEnd - e.at < rules.softCloseMs
        ? Math.min(Math.max(prevEnd, e.at + rules.softCloseMs), rules.capAt)
        : prevEnd;
    if (e.endsAt !== expected) problems.end.push(`bid ${e.bids}: end ${e.endsAt}, rule says ${expected}`);
    prevPrice = e.price;
    prevEnd = e.endsAt;
  }
  const last = bids[bids.length - 1];
  const maxAccepted = accepted.length ? Math.max(...accepted) : null;
  const show = (xs: string[]) => (xs.length ? `${xs.length}: ${xs.slice(0, 3).join('; ')}` : 'none');
  return [
    {
      name: 'every accepted bid tops the previous by at least the increment',
      pass: problems.increment.length === 0 && bids.length > 0,
      detail: `${bids.length} bid events; violations ${show(problems.increment)}`,
    },
    {
      name: 'no bid accepted at or after the end',
      pass: problems.late.length === 0,
      detail: `violations ${show(problems.late)}`,
    },
    {
      name: 'the end moved exactly by the soft-close rule, never past the cap',
      pass: problems.end.length === 0 && prevEnd <= rules.capAt,
      detail: `final end ${prevEnd} (scheduled ${rules.endsAt}, cap ${rules.capAt}); violations ${show(problems.end)}`,
    },
    {
      name: 'one accepted answer per bid event; the final price is the highest accepted bid',
      pass: accepted.length === bids.length && last !== undefined && last.price === maxAccepted,
      detail: `${accepted.length} accepted answers, ${bids.length} events; final ${last?.price ?? '-'}, highest accepted ${maxAccepted ?? '-'}`,
    },
    {
      name: 'exactly one hammer, to the last leader at the final price',
      pass:
        hammers.length === 1 &&
        last !== undefined &&
        hammers[0]!.holder.id === last.leader.id &&
        hammers[0]!.price === last.price,
      detail: hammers.map((h) => `${h.holder.id} at ${h.price}`).join(', ') || 'no hammer',
    },
  ];
}
