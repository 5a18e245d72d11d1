/**
 * Public error codes: the only error vocabulary clients see (HTTP bodies and socket acks).
 * Stable strings; never reuse a code for a different meaning.
 */
export const ERROR_CODES = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  USERNAME_TAKEN: 409,
  INVALID_CREDENTIALS: 401,
  LIVE_NOT_FOUND: 404,
  LIVE_NOT_LIVE: 409,
  LIVE_ENDED: 409,
  INVALID_TRANSITION: 409,
  NOT_JOINED: 409,
  /** Media (sfu:*) needs the live to be `live` and its media room open on this node. */
  MEDIA_NOT_AVAILABLE: 409,
  /** The client's rtpCapabilities cannot receive that producer. */
  MEDIA_CANNOT_CONSUME: 409,
  RATE_LIMITED: 429,
  /** The display name imitates a role the account does not hold (details carry { role }). */
  NAME_RESERVED: 422,
  /**
   * A socket message was over the server's limit (SOCKET_MAX_MESSAGE_BYTES): the server closed the connection
   * (WebSocket close 1009 with this code as the reason, or HTTP 413 on long-polling); clients name it from that.
   */
  MESSAGE_TOO_LARGE: 413,
  // Interaction (comments, moderation, likes, Q&A, polls). RATE_LIMITED details carry { retryAfterMs }.
  MUTED: 403,
  BANNED: 403,
  CHAT_RESTRICTED: 403,
  COMMENT_BLOCKED: 422,
  COMMENT_NOT_FOUND: 404,
  QUESTION_NOT_FOUND: 404,
  POLL_NOT_FOUND: 404,
  POLL_CLOSED: 409,
  POLL_ALREADY_OPEN: 409,
  ALREADY_VOTED: 409,
  GOAL_ALREADY_REACHED: 409,
  // Commerce (products, flash sales, payments, coupons).
  PRODUCT_NOT_FOUND: 404,
  /** Scheduling a sale needs that many units of the product's stock still unpromised. */
  INSUFFICIENT_STOCK: 409,
  SALE_NOT_FOUND: 404,
  /** details carry { opensAt } (server clock, epoch ms). */
  SALE_NOT_OPEN: 409,
  SALE_ENDED: 409,
  SOLD_OUT: 409,
  /** The per-user limit of the sale or of the product would be exceeded. */
  PURCHASE_LIMIT: 409,
  IDEMPOTENCY_KEY_REQUIRED: 400,
  /** The Idempotency-Key was already used with a different request. */
  IDEMPOTENCY_MISMATCH: 422,
  RESERVATION_NOT_FOUND: 404,
  RESERVATION_EXPIRED: 409,
  PAYMENT_IN_PROGRESS: 409,
  ALREADY_PAID: 409,
  COUPON_NOT_FOUND: 404,
  /** The coupon waits for its like goal. */
  COUPON_LOCKED: 409,
  COUPON_EXHAUSTED: 409,
  COUPON_LIMIT: 409,
  /** The caller holds no unused coupon of that kind. */
  COUPON_NOT_CLAIMED: 409,
  /** Wrong currency or below the minimum spend. */
  COUPON_NOT_APPLICABLE: 422,
  WEBHOOK_SIGNATURE_INVALID: 401,
  /** The webhook's timestamp is outside the tolerance (a replay or a skewed clock). */
  WEBHOOK_STALE: 400,
  // Lottery.
  LOTTERY_NOT_FOUND: 404,
  LOTTERY_ALREADY_OPEN: 409,
  /** The entry window is over (or the draw has started). */
  LOTTERY_CLOSED: 409,
  ALREADY_ENTERED: 409,
  /** details carry { rule }: the first rule the caller fails. */
  LOTTERY_NOT_ELIGIBLE: 403,
  /** The audit exists once the lottery is drawn. */
  LOTTERY_NOT_DRAWN: 409,
  /** No unclaimed prize of yours in this lottery, or its claim deadline passed. */
  PRIZE_NOT_CLAIMABLE: 409,
  // Growth (points, points shop).
  /** Spending more points than the balance holds (details carry { balance, cost }). */
  POINTS_INSUFFICIENT: 409,
  SHOP_ITEM_NOT_FOUND: 404,
  /** A level-gated perk (details carry { required, level }). */
  FAN_LEVEL_REQUIRED: 403,
  // Auctions.
  AUCTION_NOT_FOUND: 404,
  /** One open auction per live. */
  AUCTION_ALREADY_OPEN: 409,
  /** The auction is over (its end passed on the server clock, or the live ended). */
  AUCTION_ENDED: 409,
  /** details carry { minBid }: the lowest bid accepted now. */
  BID_TOO_LOW: 409,
  /** details carry { reason }: `lapsed-win` (you let an auction win of this live go unpaid). */
  AUCTION_NOT_ELIGIBLE: 403,
  // Group buys.
  GROUPBUY_NOT_FOUND: 404,
  /** The offer no longer starts groups (its window passed, or the live ended). */
  GROUPBUY_CLOSED: 409,
  GROUP_NOT_FOUND: 404,
  /** Every seat of the group is taken. */
  GROUP_FULL: 409,
  /** The group's time limit passed on the server clock. */
  GROUP_EXPIRED: 409,
  /** One group per viewer per offer (details carry { groupId }). */
  ALREADY_IN_GROUP: 409,
  // Replay (#17).
  RECORDING_NOT_FOUND: 404,
  /** The recording exists but its host has not published it (only the host and moderators see it). */
  RECORDING_NOT_PUBLISHED: 403,
  /** A recording is deleted once the live is over and it is no longer being written. */
  RECORDING_IN_PROGRESS: 409,
  /** Buying from the replay opens once the live has ended and its own sales are settled. */
  REPLAY_NOT_READY: 409,
  /** The product was not presented during the live (no chapter shows it): it cannot be bought from the replay. */
  REPLAY_PRODUCT_NOT_SHOWN: 404,
  /** A backing store (Redis) is unreachable: the request was refused and nothing was written. */
  SERVICE_UNAVAILABLE: 503,
  ORIGIN_NOT_ALLOWED: 403,
  UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The one error type services throw; transports map it to a status / ack. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  constructor(code: ErrorCode, message?: string, details?: unknown) {
    super(message ?? code);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
  get status(): number {
    return ERROR_CODES[this.code];
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** Wire shape of an error, shared by HTTP responses and socket acks. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: unknown;
}
