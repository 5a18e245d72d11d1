/**
 * The one place Lua return codes become public errors. Each script's negative codes are listed here exactly
 * as its contract header documents them (script-results.test.ts holds the two in step): a refusal (the public
 * error the caller answers) or OUTCOME (a documented state the caller handles itself: retry, wait, another
 * node's turn). Commerce scripts share one code space (a code means the same in each of them), so a decided
 * reserve attempt's record code and a direct read's "not found" map the same way.
 */
import { AppError, ERROR_CODES, type ErrorBody, type ErrorCode } from '@lc/contracts/errors';
import type { ScriptName } from './scripts';

/** Not an error: the caller handles this code itself. */
export const OUTCOME = 'outcome';
/** A public error; the message and `details` may be built from the script's payload (its second value). */
type Refusal = readonly [
  code: ErrorCode,
  message: string | ((payload: unknown) => string),
  details?: (payload: unknown) => unknown,
];
type CodeTable = Readonly<Record<number, Refusal | typeof OUTCOME>>;

const COMMERCE: CodeTable = {
  [-1]: ['SALE_NOT_FOUND', 'no such sale in this live'],
  [-2]: ['SALE_NOT_OPEN', 'the sale has not opened yet', (opensAt) => ({ opensAt: Number(opensAt) })],
  [-3]: ['SALE_ENDED', 'the sale has ended'],
  [-4]: ['IDEMPOTENCY_MISMATCH', 'this Idempotency-Key was used with a different request'],
  [-5]: ['NOT_FOUND', 'no attempt recorded under this Idempotency-Key'],
  [-6]: ['SOLD_OUT', 'sold out'],
  [-7]: ['PURCHASE_LIMIT', 'the per-user limit would be exceeded'],
  [-8]: ['RESERVATION_NOT_FOUND', 'no such reservation'],
  [-9]: ['RESERVATION_EXPIRED', 'the reservation has expired'],
  [-10]: ['PAYMENT_IN_PROGRESS', 'a payment for this reservation is in progress'],
  [-11]: ['ALREADY_PAID', 'the reservation is already paid'],
  [-12]: ['COUPON_NOT_CLAIMED', 'no unused coupon of this kind'],
  [-13]: OUTCOME,
  [-14]: ['COUPON_NOT_FOUND', 'no such coupon in this live'],
  [-15]: ['LIVE_ENDED', 'the live has ended'],
  [-16]: ['COUPON_LOCKED', 'the coupon unlocks when its like goal is reached'],
  [-17]: ['COUPON_EXHAUSTED', 'all coupons of this kind are claimed'],
  [-18]: ['COUPON_LIMIT', 'you already claimed as many as allowed'],
  [-19]: ['BANNED', 'you are banned from this live'],
};
const pick = (table: CodeTable, ...codes: number[]): CodeTable =>
  Object.fromEntries(codes.map((c) => [c, table[c]!]));

const LOTTERY_NOT_FOUND: Refusal = ['LOTTERY_NOT_FOUND', 'no such lottery in this live'];
const POLL_NOT_FOUND: Refusal = ['POLL_NOT_FOUND', 'no such poll in this live'];
const COMMENT_NOT_FOUND: Refusal = ['COMMENT_NOT_FOUND', 'no published comment with that id'];
const AUCTION_NOT_FOUND: Refusal = ['AUCTION_NOT_FOUND', 'no such auction in this live'];
const GROUP_NOT_FOUND: Refusal = ['GROUP_NOT_FOUND', 'no such group in this live'];
const retryAfter = (ms: unknown) => ({ retryAfterMs: Number(ms) });

export const SCRIPT_CODES: Readonly<Partial<Record<ScriptName, CodeTable>>> = {
  'comment-send': {
    [-1]: ['BANNED', 'you are banned from this live'],
    [-2]: ['MUTED', 'you are muted in this live', (until) => ({ until: Number(until) })],
    [-3]: ['RATE_LIMITED', 'too many comments: wait a moment', retryAfter],
    [-4]: [
      'RATE_LIMITED',
      'slow mode is on: wait before commenting again',
      (ms) => ({ retryAfterMs: Number(ms), reason: 'slow-mode' }),
    ],
    [-5]: OUTCOME,
    [-6]: OUTCOME,
    [-7]: [
      'CHAT_RESTRICTED',
      (gate) =>
        gate === 1
          ? 'only followers of the host can comment now'
          : 'only buyers in this live can comment now',
      (gate) => ({ gate: gate === 1 ? 'followers' : 'buyers' }),
    ],
  },
  'comment-delete': { [-1]: COMMENT_NOT_FOUND },
  'comment-release': { [-1]: ['COMMENT_NOT_FOUND', 'no held comment with that id'] },
  'like-goal-add': {
    [-1]: ['GOAL_ALREADY_REACHED', 'the like total already passed that threshold'],
    [-2]: ['VALIDATION', (max) => `a live has at most ${max} like goals`],
  },
  'likes-flush': { [-1]: OUTCOME },
  'lottery-enter': {
    [-1]: LOTTERY_NOT_FOUND,
    [-2]: ['LOTTERY_CLOSED', 'the entry window is over'],
    [-4]: ['ALREADY_ENTERED', 'you already entered this lottery'],
  },
  'lottery-freeze': { [-1]: LOTTERY_NOT_FOUND, [-2]: OUTCOME, [-3]: OUTCOME },
  'lottery-takeover': { [-1]: LOTTERY_NOT_FOUND, [-2]: OUTCOME, [-3]: OUTCOME },
  'poll-vote': {
    [-1]: POLL_NOT_FOUND,
    [-2]: ['POLL_CLOSED', 'the poll is closed'],
    [-3]: ['VALIDATION', 'no such option'],
    [-4]: ['ALREADY_VOTED', 'you already voted in this poll'],
  },
  'poll-close': { [-1]: POLL_NOT_FOUND, [-2]: OUTCOME },
  'room-since': { [-1]: OUTCOME, [-2]: OUTCOME, [-3]: OUTCOME },
  'node-beat': { [-1]: OUTCOME },
  'sale-announce': { [-1]: OUTCOME },
  'sale-close': pick(COMMERCE, -1),
  'sale-reserve': pick(COMMERCE, -1, -2, -3, -4, -5, -6, -7, -19),
  'reservation-pay': pick(COMMERCE, -4, -8, -9, -10, -11, -12),
  'reservation-confirm': { ...pick(COMMERCE, -8), [-9]: OUTCOME, [-13]: OUTCOME },
  'coupon-claim': pick(COMMERCE, -14, -15, -16, -17, -18),
  'auction-open': { [-2]: OUTCOME },
  'auction-bid': {
    [-1]: AUCTION_NOT_FOUND,
    [-3]: ['AUCTION_ENDED', 'the auction is over'],
    [-4]: ['BID_TOO_LOW', (min) => `bid at least ${min}`, (min) => ({ minBid: Number(min) })],
    [-5]: ['BANNED', 'you are banned from this live'],
    [-6]: [
      'AUCTION_NOT_ELIGIBLE',
      'you let an auction win in this live go unpaid',
      () => ({ reason: 'lapsed-win' }),
    ],
  },
  'auction-settle': { [-1]: AUCTION_NOT_FOUND },
  'groupbuy-join': {
    [-1]: ['GROUPBUY_NOT_FOUND', 'no such group-buy offer in this live'],
    [-2]: ['GROUPBUY_CLOSED', 'this group-buy offer starts no more groups'],
    [-3]: GROUP_NOT_FOUND,
    [-4]: ['GROUP_EXPIRED', 'the group did not fill in time'],
    [-5]: ['GROUP_FULL', 'every seat of the group is taken'],
    [-6]: COMMERCE[-6]!,
    [-7]: ['ALREADY_IN_GROUP', 'you already hold a seat in a group of this offer', (g) => ({ groupId: g })],
    [-8]: COMMERCE[-19]!,
  },
  'groupbuy-expire': { [-1]: GROUP_NOT_FOUND },
};

function refusalOf(script: ScriptName, code: number): Refusal | undefined {
  const entry = SCRIPT_CODES[script]?.[code];
  return entry === OUTCOME ? undefined : entry;
}

/**
 * The public error body for a script's refusal code, as a value: a flash sale answers most attempts with
 * SOLD_OUT or PURCHASE_LIMIT, and an Error per refusal (stack capture, the framework's error path) is
 * measurable there. An unknown code (or an OUTCOME the caller forgot to handle) is INTERNAL.
 */
export function scriptRefusal(
  script: ScriptName,
  code: number,
  payload?: unknown,
): ErrorBody & { status: number } {
  const r = refusalOf(script, code);
  if (!r) return { code: 'INTERNAL', message: `${script} returned ${code}`, status: ERROR_CODES.INTERNAL };
  const [errCode, text, details] = r;
  const message = typeof text === 'function' ? text(payload) : text;
  return details && payload !== undefined
    ? { code: errCode, message, details: details(payload), status: ERROR_CODES[errCode] }
    : { code: errCode, message, status: ERROR_CODES[errCode] };
}

/** The public error for a script's refusal code (see scriptRefusal). */
export function scriptError(script: ScriptName, code: number, payload?: unknown): AppError {
  const r = scriptRefusal(script, code, payload);
  return new AppError(r.code, r.message, r.details);
}

/** Throws the public error when `code` is a refusal; returns it otherwise (positive, zero or an OUTCOME). */
export function checkScript<T extends number>(script: ScriptName, code: T, payload?: unknown): T {
  if (code < 0 && SCRIPT_CODES[script]?.[code] !== OUTCOME) throw scriptError(script, code, payload);
  return code;
}
