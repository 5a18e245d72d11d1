import type {
  Auction,
  AuctionBidPayload,
  AuctionBidResult,
  AuctionCreatePayload,
  AuctionOutbid,
  AuctionRefPayload,
  AuctionWon,
} from './auction.schema';
import type {
  ChatSettings,
  ChatSettingsPayload,
  Comment,
  CommentSendPayload,
  CommentSendResult,
} from './comment.schema';
import type {
  ClaimCouponPayload,
  ClickPayload,
  CouponClaim,
  ImpressionsPayload,
  Order,
  PinProductPayload,
} from './commerce.schema';
import type { ErrorBody } from './errors';
import type {
  GroupBuyGroupRef,
  GroupBuyJoinPayload,
  GroupBuyJoinResult,
  GroupBuyLink,
  GroupBuyOffer,
  GroupBuyOfferPayload,
} from './groupbuy.schema';
import type { LiveLeaderboard, ModerationAlert } from './growth.schema';
import type { Role } from './ids';
import type { InviteCampaign, InviteCampaignPayload, InviteLink, InviteProgress } from './invite.schema';
import type { LikeGoal, LikeGoalAddPayload, LikeGoalRemovePayload, LikeTapPayload } from './likes.schema';
import type { Live } from './live.schema';
import type {
  Lottery,
  LotteryClaimPayload,
  LotteryCreatePayload,
  LotteryRefPayload,
  MyPrize,
} from './lottery.schema';
import type {
  BanPayload,
  CommentRefPayload,
  MutePayload,
  PinPayload,
  ReviewPayload,
  ShadowPayload,
  UserTargetPayload,
} from './moderation.schema';
import type { Poll, PollClosePayload, PollCreatePayload, PollVotePayload } from './poll.schema';
import type { QaAskPayload, QaModeratePayload, QaVotePayload, Question } from './qa.schema';
import type { AnnouncePayload, JoinPayload, JoinResult, LiveRef, Presence, RoomEvent } from './room.schema';
import type {
  ConsumePayload,
  ConsumerInfo,
  ConsumerLayersPayload,
  ConsumerRefPayload,
  ConsumerStatsInfo,
  IceRestartPayload,
  MediaKind,
  ProducePayload,
  SfuCapabilities,
  SfuLiveRef,
  SfuReconnectReason,
  TransportConnectPayload,
  TransportCreatePayload,
  TransportInfo,
} from './sfu.schema';
import type { FollowPayload, FollowState, ShareLink } from './social.schema';

/** Every command is acknowledged with this envelope; a missing ack callback is tolerated. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };
export type AckFn<T> = (res: Ack<T>) => void;

/** Commands: client → server, each with an ack. */
export interface ClientToServerEvents {
  /** Join a live room; acks a snapshot, or exactly the missed events when `lastSeq` is recent enough. */
  'live:join': (payload: JoinPayload, ack?: AckFn<JoinResult>) => void;
  /** Leave a live room (also implied by disconnect). */
  'live:leave': (payload: LiveRef, ack?: AckFn<{ left: boolean }>) => void;
  /** Host: post an announcement to the room log. */
  'live:announce': (payload: AnnouncePayload, ack?: AckFn<{ seq: number }>) => void;
  /** Host: move the live from scheduled to live. */
  'live:start': (payload: LiveRef, ack?: AckFn<Live>) => void;
  /** Host: end the live (idempotent); enqueues end-of-live jobs. */
  'live:end': (payload: LiveRef, ack?: AckFn<Live>) => void;
  /** Send a comment (joined sockets); RATE_LIMITED (details.retryAfterMs), MUTED, BANNED, CHAT_RESTRICTED, COMMENT_BLOCKED. */
  'comment:send': (payload: CommentSendPayload, ack?: AckFn<CommentSendResult>) => void;
  /** Host/moderator: delete a published comment everywhere (a `comment:deleted` room event). */
  'comment:delete': (payload: CommentRefPayload, ack?: AckFn<{ deleted: boolean }>) => void;
  /** Host/moderator: publish (`approve`) or drop a comment held by a hold-for-review keyword. */
  'comment:review': (payload: ReviewPayload, ack?: AckFn<{ published: boolean }>) => void;
  /** Host/moderator: slow mode, followers-only, buyers-only (a `chat:settings` room event). */
  'chat:settings': (payload: ChatSettingsPayload, ack?: AckFn<ChatSettings>) => void;
  /** Host: make a user a moderator of this live / take it back. */
  'mod:appoint': (payload: UserTargetPayload, ack?: AckFn<{ moderators: string[] }>) => void;
  'mod:revoke': (payload: UserTargetPayload, ack?: AckFn<{ moderators: string[] }>) => void;
  /** Host/moderator: mute a viewer for `durationSec` / lift it. */
  'mod:mute': (payload: MutePayload, ack?: AckFn<{ until: number }>) => void;
  'mod:unmute': (payload: UserTargetPayload, ack?: AckFn<{ unmuted: boolean }>) => void;
  /** Host/moderator: ban a viewer (and their device) from the live: disconnected everywhere, joins refused. */
  'mod:ban': (payload: BanPayload, ack?: AckFn<{ banned: true }>) => void;
  'mod:unban': (payload: UserTargetPayload, ack?: AckFn<{ unbanned: boolean }>) => void;
  /** Host/moderator: shadow-ban on/off (the user's comments reach only the user). */
  'mod:shadow': (payload: ShadowPayload, ack?: AckFn<{ shadowed: boolean }>) => void;
  /** Host/moderator: pin an announcement to the room / unpin it. */
  'mod:pin': (payload: PinPayload, ack?: AckFn<{ seq: number }>) => void;
  'mod:unpin': (payload: LiveRef, ack?: AckFn<{ unpinned: boolean }>) => void;
  /** A batch of like taps (about one message per second); acks how many counted (caps per message, per second). */
  'like:tap': (payload: LikeTapPayload, ack?: AckFn<{ accepted: number }>) => void;
  /** Host: a like goal (`goal:reached` fires once when the total reaches it) / remove one. */
  'like:goal:add': (payload: LikeGoalAddPayload, ack?: AckFn<{ goal: LikeGoal }>) => void;
  'like:goal:remove': (payload: LikeGoalRemovePayload, ack?: AckFn<{ removed: boolean }>) => void;
  /** Ask a question (joined sockets; QUESTION_MAX_CHARS, per-user rate: RATE_LIMITED). */
  'qa:ask': (payload: QaAskPayload, ack?: AckFn<{ question: Question }>) => void;
  /** Toggle your upvote of a question (one per user). */
  'qa:vote': (payload: QaVotePayload, ack?: AckFn<{ voted: boolean; votes: number }>) => void;
  /** Host/moderator: answer, pin (one at a time), unpin, dismiss or reopen a question. */
  'qa:moderate': (payload: QaModeratePayload, ack?: AckFn<{ question: Question }>) => void;
  /** Host: open a poll (2-6 options, closes on the server clock); POLL_ALREADY_OPEN while one is open, LIVE_ENDED after the end. */
  'poll:create': (payload: PollCreatePayload, ack?: AckFn<{ poll: Poll }>) => void;
  /** Vote once in the open poll: ALREADY_VOTED, POLL_CLOSED, POLL_NOT_FOUND. */
  'poll:vote': (payload: PollVotePayload, ack?: AckFn<{ voted: number }>) => void;
  /** Host: close the poll before its deadline. */
  'poll:close': (payload: PollClosePayload, ack?: AckFn<{ poll: Poll }>) => void;
  /** Follow / unfollow the live's host. */
  'follow:set': (payload: FollowPayload, ack?: AckFn<FollowState>) => void;
  /** A share link carrying your id (joined sockets); joins through it are attributed to you. */
  'share:create': (payload: LiveRef, ack?: AckFn<ShareLink>) => void;
  /** Media: the router's RTP capabilities and the producers to consume (joined peers, live lives only). */
  'sfu:capabilities': (payload: SfuLiveRef, ack?: AckFn<SfuCapabilities>) => void;
  /** Media: create a WebRTC transport (`send` for the host, `recv` for anyone joined). */
  'sfu:transport:create': (payload: TransportCreatePayload, ack?: AckFn<TransportInfo>) => void;
  /** Media: connect one of the caller's transports with its DTLS parameters. */
  'sfu:transport:connect': (payload: TransportConnectPayload, ack?: AckFn<{ connected: true }>) => void;
  /** Media, host: publish a track on the host's send transport. */
  'sfu:produce': (payload: ProducePayload, ack?: AckFn<{ id: string }>) => void;
  /** Media: consume a producer on the caller's recv transport; the consumer starts paused. */
  'sfu:consume': (payload: ConsumePayload, ack?: AckFn<ConsumerInfo>) => void;
  /** Media: resume one of the caller's consumers once its client side is ready. */
  'sfu:consumer:resume': (payload: ConsumerRefPayload, ack?: AckFn<{ resumed: true }>) => void;
  /** Media: what the server sent on one of the caller's consumers (diagnostics, load tests). */
  'sfu:consumer:stats': (payload: ConsumerRefPayload, ack?: AckFn<ConsumerStatsInfo>) => void;
  /** Media: preferred simulcast layers of one of the caller's consumers. */
  'sfu:consumer:layers': (payload: ConsumerLayersPayload, ack?: AckFn<{ set: true }>) => void;
  /** Media: restart ICE of one of the caller's transports (after a network change or failure). */
  'sfu:ice:restart': (
    payload: IceRestartPayload,
    ack?: AckFn<{ iceParameters: Record<string, unknown> }>,
  ) => void;
  /** Media: close every transport (so every producer and consumer) the caller has in the live. */
  'sfu:close': (payload: SfuLiveRef, ack?: AckFn<{ closed: boolean }>) => void;
  /** Host: pin a product as "now explaining" (null unpins); a `product:pinned` room event. */
  'product:pin': (payload: PinProductPayload, ack?: AckFn<{ seq: number }>) => void;
  /** Joined: these products were shown to me (deduplicated per viewer); `counted` = new ones. */
  'product:impressions': (payload: ImpressionsPayload, ack?: AckFn<{ counted: number }>) => void;
  /** Joined: I clicked a product. */
  'product:click': (payload: ClickPayload, ack?: AckFn<{ clicks: number }>) => void;
  /** Joined, live on: claim a coupon; COUPON_LOCKED, COUPON_EXHAUSTED, COUPON_LIMIT, LIVE_NOT_LIVE, LIVE_ENDED. */
  'coupon:claim': (payload: ClaimCouponPayload, ack?: AckFn<CouponClaim>) => void;
  /** Host: create a lottery (publishes `commitment = sha256(seed)`); LOTTERY_ALREADY_OPEN, COUPON_NOT_FOUND, PRODUCT_NOT_FOUND. */
  'lottery:create': (payload: LotteryCreatePayload, ack?: AckFn<{ lottery: Lottery }>) => void;
  /** Joined: enter the open lottery; ALREADY_ENTERED, LOTTERY_CLOSED, LOTTERY_NOT_ELIGIBLE { rule }. */
  'lottery:enter': (payload: LotteryRefPayload, ack?: AckFn<{ entrants: number }>) => void;
  /** Host: draw now (exactly once, whichever node or trigger comes first); answers the drawn lottery. */
  'lottery:draw': (payload: LotteryRefPayload, ack?: AckFn<{ lottery: Lottery }>) => void;
  /** Winner: claim a prize with a shipping address (same rules and codes as POST …/claim); PRIZE_NOT_CLAIMABLE. */
  'lottery:claim': (payload: LotteryClaimPayload, ack?: AckFn<{ claimed: true; prize: MyPrize }>) => void;
  /** Any user: the lottery prizes offered to me in this live, newest first (GET /api/me/prizes: every live). */
  'lottery:prizes': (payload: { liveId: string }, ack?: AckFn<{ prizes: MyPrize[] }>) => void;
  /** Host: open an auction on a product now (one per live); AUCTION_ALREADY_OPEN, PRODUCT_NOT_FOUND, INSUFFICIENT_STOCK. */
  'auction:create': (payload: AuctionCreatePayload, ack?: AckFn<{ auction: Auction }>) => void;
  /** Joined viewers: bid (`max`: proxy ceiling); BID_TOO_LOW { minBid }, AUCTION_ENDED, BANNED, AUCTION_NOT_ELIGIBLE; the host and moderators get FORBIDDEN. */
  'auction:bid': (payload: AuctionBidPayload, ack?: AckFn<AuctionBidResult>) => void;
  /** Host: the live's invite goal and reward coupon (COUPON_NOT_FOUND); setting it again replaces it. */
  'invite:campaign': (payload: InviteCampaignPayload, ack?: AckFn<{ campaign: InviteCampaign }>) => void;
  /** Joined: your signed invite link and progress; NOT_FOUND while the live has no invite campaign. */
  'invite:create': (payload: LiveRef, ack?: AckFn<InviteLink>) => void;
  /** Anyone joined: one auction as it stands. */
  'auction:get': (payload: AuctionRefPayload, ack?: AckFn<{ auction: Auction }>) => void;
  /** Host: offer a product to groups at a group price; PRODUCT_NOT_FOUND, INSUFFICIENT_STOCK, LIVE_ENDED. */
  'groupbuy:offer': (payload: GroupBuyOfferPayload, ack?: AckFn<{ offer: GroupBuyOffer }>) => void;
  /** Joined viewers: start a group (no groupId) or join one; GROUP_FULL, GROUP_EXPIRED, ALREADY_IN_GROUP, SOLD_OUT, GROUPBUY_CLOSED, BANNED. */
  'groupbuy:join': (payload: GroupBuyJoinPayload, ack?: AckFn<GroupBuyJoinResult>) => void;
  /** Members: the group's signed share link (joins through it are attributed to you); GROUP_NOT_FOUND. */
  'groupbuy:link': (payload: GroupBuyGroupRef, ack?: AckFn<GroupBuyLink>) => void;
}

/** Facts: server → client. Room events arrive in coalesced frames ordered by `seq`. */
export interface ServerToClientEvents {
  /** A frame of consecutive room events (ascending `seq`, no gaps within one node's stream tail). */
  'room:events': (frame: { liveId: string; events: RoomEvent[] }) => void;
  /** Presence counters, at a bounded rate (not part of the seq log). */
  'room:presence': (p: { liveId: string } & Presence) => void;
  /** The server removed this socket from the room (ended, kicked); `code` says why. */
  'room:closed': (p: { liveId: string; code: string }) => void;
  /** The live's top likers, at most every second and only when they changed. */
  'leaderboard:live': (p: LiveLeaderboard) => void;
  /** Staff only (host and moderators), once per episode: negative comments over the crisis threshold. */
  'moderation:alert': (p: ModerationAlert) => void;
  /** Staff only: a comment was held for review. */
  'comment:held': (p: { liveId: string; comment: Comment }) => void;
  /** Your role in the live changed (appointed or revoked moderator). */
  'room:role': (p: { liveId: string; role: Role }) => void;
  /** The room's like total, at most every COUNTERS_BROADCAST_MS and only when it changed. */
  'like:total': (p: { liveId: string; total: number }) => void;
  /** Tallies of the open poll, at most every COUNTERS_BROADCAST_MS and only when they changed. */
  'poll:tally': (p: { liveId: string; pollId: string; tallies: number[]; total: number }) => void;
  /** The host's follower count, at most every COUNTERS_BROADCAST_MS and only when it changed. */
  'follow:count': (p: { liveId: string; followers: number }) => void;
  /** Entrants of the open lottery, at most every COUNTERS_BROADCAST_MS and only when it changed. */
  'lottery:count': (p: { liveId: string; lotteryId: string; entrants: number }) => void;
  /** To the user (every tab, any node): a lottery prize was offered to you (a win, or passed on from a forfeit). */
  'lottery:won': (p: { liveId: string; prize: MyPrize }) => void;
  /** To the user: your high bid was topped (a proxy ceiling included). */
  'auction:outbid': (p: AuctionOutbid) => void;
  /** To the user: the hammer (or a runner-up offer) gave you the item: pay `reservationId` by `payBy`. */
  'auction:won': (p: AuctionWon) => void;
  /** To the sharer: an invitee was counted (and, once, the reward coupon granted). */
  'invite:progress': (p: InviteProgress) => void;
  /** Media: the host published a track; consume it. */
  'sfu:producer:new': (p: { liveId: string; producerId: string; kind: MediaKind }) => void;
  /** Media: a producer went away; the caller's consumer of it (if any) is closed. */
  'sfu:producer:closed': (p: { liveId: string; producerId: string; consumerId?: string }) => void;
  /** Media must be re-established (worker died, room rebuilt): drop transports, host republishes, viewers reconsume. */
  'sfu:reconnect': (p: { liveId: string; reason: SfuReconnectReason }) => void;
  /** To the buyer (every tab): a payment succeeded and its order is recorded. */
  'order:paid': (p: { liveId: string; order: Order }) => void;
  /** To the buyer: a payment failed (declined), or succeeded too late and was refunded. */
  'payment:failed': (p: { liveId: string; reservationId: string; paymentId: string; reason: string }) => void;
}

export type ClientEventName = keyof ClientToServerEvents;
