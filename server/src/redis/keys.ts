/**
 * Every Redis key the project uses is built here. Keys of one live share the `{live:<id>}` hash tag so a
 * Lua script touching several of them stays on one Redis Cluster slot.
 *
 * | key                                  | type        | holds                                          |
 * |--------------------------------------|-------------|------------------------------------------------|
 * | <p>:{live:<id>}:seq                  | string      | last room seq (INCR)                           |
 * | <p>:{live:<id>}:log                  | stream      | room event log, entry id `<seq>-0`, capped     |
 * | <p>:{live:<id>}:moments              | list        | the log's chapter-worthy events, not capped    |
 * | <p>:{live:<id>}:conns                | hash        | userId → open connection count                 |
 * | <p>:{live:<id>}:online               | string      | users with ≥ 1 connection                      |
 * | <p>:{live:<id>}:peak                 | string      | highest `online` seen                          |
 * | <p>:{live:<id>}:viewers              | set         | every user id that joined (exact unique count) |
 * | <p>:{live:<id>}:joins:<second>       | string      | joins in that epoch second (expires)           |
 * | <p>:{live:<id>}:leaves:<second>      | string      | leaves in that epoch second (expires)          |
 * | <p>:{live:<id>}:node:<nodeId>        | hash        | userId → connections held by that node         |
 * | <p>:{live:<id>}:status               | string      | cached live status (scheduled/live/ended)      |
 *
 * Interaction (comments, moderation, likes, Q&A, polls, shares). These and the room keys above expire (or are
 * deleted) after the live by the end-of-live step `room-keys` (ROOM_KEYS_RETAIN_SEC); `followers` is the host's.
 *
 * | key                                  | type        | holds                                          |
 * |--------------------------------------|-------------|------------------------------------------------|
 * | <p>:{live:<id>}:mods                 | set         | user ids the host appointed moderators         |
 * | <p>:{live:<id>}:chat                 | hash        | chat settings: slowMs, followersOnly, buyersOnly, kwver |
 * | <p>:{live:<id>}:kw                   | hash        | keyword list name → JSON {action, terms}       |
 * | <p>:{live:<id>}:bans                 | set         | `u:<userId>` and `d:<deviceId>` banned         |
 * | <p>:{live:<id>}:devices              | hash        | userId → device id last seen at join           |
 * | <p>:{live:<id>}:mute:<userId>        | string      | muted until (epoch ms); expires with the mute  |
 * | <p>:{live:<id>}:shadow               | set         | shadow-banned user ids                         |
 * | <p>:{live:<id>}:crl:<userId>         | string      | comment rate limit (GCRA arrival time), expires |
 * | <p>:{live:<id>}:slow:<userId>        | string      | slow-mode marker, expires after the interval   |
 * | <p>:{live:<id>}:cps:<second>         | string      | comments published that epoch second, expires  |
 * | <p>:{live:<id>}:comments             | zset        | recent visible comment ids, score = seq, capped |
 * | <p>:{live:<id>}:comment              | hash        | comment id → JSON for ids in `comments`        |
 * | <p>:{live:<id>}:cidx                 | hash        | comment id → `<seq>|<authorId>` (every published one) |
 * | <p>:{live:<id>}:redacted             | hash        | seq → data replacing a deleted event in reads  |
 * | <p>:{live:<id>}:held                 | hash        | comment id → JSON waiting for review           |
 * | <p>:{live:<id>}:own:<userId>         | list        | comments only their sender sees, capped        |
 * | <p>:{live:<id>}:pinned               | string      | pinned announcement JSON                       |
 * | <p>:{live:<id>}:likes                | string      | like total (INCRBY from node flushes)          |
 * | <p>:{live:<id>}:lb:likes             | zset        | userId → taps counted (points, leaderboard)    |
 * | <p>:{live:<id>}:crisis               | hash        | crisis window: `t:<bucket>`/`n:<bucket>` counts (expires) |
 * | <p>:{live:<id>}:crisis:on            | string      | crisis episode marker (expires)                |
 * | <p>:{live:<id>}:crisis:samples       | list        | recent negative comment texts (≤ 5, expires)   |
 * | <p>:{live:<id>}:goals                | zset        | like goal id, score = threshold                |
 * | <p>:{live:<id>}:goal                 | hash        | like goal id → JSON                            |
 * | <p>:{live:<id>}:goals:reached        | hash        | like goal id → reached at (epoch ms)           |
 * | <p>:{live:<id>}:rl:<scope>:<userId>  | string      | GCRA rate-limit state of a scope (`qa`), expires |
 * | <p>:{live:<id>}:qa:voters            | set         | users who ever voted on a question; `*` = complete |
 * | <p>:{live:<id>}:poll                 | hash        | current poll: id, json, closesAt, status       |
 * | <p>:{live:<id>}:poll:<pid>:voters    | hash        | userId → option index                          |
 * | <p>:{live:<id>}:poll:<pid>:tally     | hash        | option index → votes                           |
 * | <p>:{live:<id>}:shares               | hash        | sharer id → share links made                   |
 * | <p>:{live:<id>}:sharejoins           | hash        | sharer id → users who joined through them      |
 * | <p>:{live:<id>}:refjoined            | set         | users already attributed to a sharer           |
 * | <p>:{host:<id>}:followers            | set         | user ids following the host                    |
 * | <p>:{host:<id>}:fanlevels            | hash        | userId → fan level above normal (growth mirror) |
 *
 * Commerce (products, flash sales, reservations, payments, coupons):
 *
 * | key                                  | type        | holds                                          |
 * |--------------------------------------|-------------|------------------------------------------------|
 * | <p>:{live:<id>}:commerce             | hash        | `ended` (epoch ms): sales closed, claims refused |
 * | <p>:{live:<id>}:products             | hash        | product id → product JSON (ledger mirror)      |
 * | <p>:{live:<id>}:pinned-product       | string      | product id pinned as "now explaining"          |
 * | <p>:{live:<id>}:product:<pid>:seen   | set         | viewers the product was shown to (impressions) |
 * | <p>:{live:<id>}:product:<pid>:clickers | set       | viewers who clicked the product                |
 * | <p>:{live:<id>}:product-clicks       | hash        | product id → clicks (all, not deduplicated)    |
 * | <p>:{live:<id>}:product:<pid>:users  | hash        | userId → units held over every sale of it      |
 * | <p>:{live:<id>}:sales                | set         | sale ids of the live                           |
 * | <p>:{live:<id>}:sale:<sid>           | hash        | sale config + initial/remaining/reserved/sold, ver, fair state |
 * | <p>:{live:<id>}:sale:<sid>:fair      | zset        | requests waiting for the fair pass, score = ticket |
 * | <p>:{live:<id>}:sale:<sid>:tickets   | hash        | userId → fair ticket (one draw per user)       |
 * | <p>:{live:<id>}:sale:<sid>:users     | hash        | userId → units held in the sale                |
 * | <p>:{live:<id>}:sale:<sid>:exp       | zset        | unpaid reservation id, score = deadline (ms)   |
 * | <p>:{live:<id>}:resv                 | hash        | reservation id → reservation JSON              |
 * | <p>:{live:<id>}:resv:byuser          | hash        | userId → space-separated reservation ids       |
 * | <p>:{live:<id>}:idem                 | hash        | `<userId>\n<Idempotency-Key>` → request record JSON |
 * | <p>:{live:<id>}:buyers               | set         | users with a paid reservation                  |
 * | <p>:{live:<id>}:coupons              | hash        | coupon id → definition JSON                    |
 * | <p>:{live:<id>}:coupon:claims        | hash        | `<cid>` → claimed, `<cid>:<userId>` → user's claims |
 * | <p>:{live:<id>}:coupon:uses          | hash        | `<cid>:<userId>:<n>` → reservation using claim n |
 * | <p>:commerce:active-sales            | zset        | `<liveId>/<saleId>` the sweeper visits, score = closesAt |
 *
 * Lottery and watch time:
 *
 * | key                                  | type        | holds                                          |
 * |--------------------------------------|-------------|------------------------------------------------|
 * | <p>:{live:<id>}:lottery              | hash        | current lottery: id, json, closesAt, status, seed (secret until drawn), result |
 * | <p>:{live:<id>}:lottery:<lid>:entrants | set       | user ids entered (one entry per user)          |
 * | <p>:{live:<id>}:watch:since          | hash        | userId → epoch ms their first open connection started |
 * | <p>:{live:<id>}:watch:ms             | hash        | userId → ms watched over closed sessions       |
 *
 * Auctions (features/auctions; the one-unit sale behind each auction is a commerce sale above):
 *
 * | key                                  | type        | holds                                          |
 * |--------------------------------------|-------------|------------------------------------------------|
 * | <p>:{live:<id>}:auctions             | zset        | auction ids of the live, score = startsAt      |
 * | <p>:{live:<id>}:auction:<aid>        | hash        | config + high bid, end, holder, offer (auction-bid-7.lua) |
 * | <p>:{live:<id>}:auction:<aid>:bidders | hash       | userId → JSON {m ceiling, n bid number, name}  |
 * | <p>:{live:<id>}:auction:active       | string      | id of the live's open auction (one at a time)  |
 * | <p>:{live:<id>}:auction:defaulters   | set         | users who let an auction win lapse unpaid      |
 * | <p>:auctions:due                     | zset        | `<liveId>/<auctionId>` the auction clock visits, score = when |
 * | <p>:{live:<id>}:invite               | hash        | invite campaign: goal, couponId                |
 * | <p>:{live:<id>}:invite:users         | set         | invitees counted (once each)                   |
 * | <p>:{live:<id>}:invite:devices       | set         | invitee devices counted (once each)            |
 * | <p>:{live:<id>}:invite:progress      | hash        | sharer id → invitees counted                   |
 * | <p>:{live:<id>}:invite:rewarded      | hash        | sharer id → reward coupon claim number         |
 * Group buys (features/groupbuys; each offer's units are a commerce sale above):
 * | <p>:{live:<id>}:gb:offers            | zset        | offer ids of the live, score = created at      |
 * | <p>:{live:<id>}:gb:<oid>             | hash        | offer config: saleId price size limitMs closesAt payMs … |
 * | <p>:{live:<id>}:gb:<oid>:users       | hash        | userId → the group they hold a seat in         |
 * | <p>:{live:<id>}:gb:<oid>:open        | zset        | open group ids of the offer, score = expiresAt |
 * | <p>:{live:<id>}:gbg:<gid>            | hash        | group: offerId leader size n status expiresAt  |
 * | <p>:{live:<id>}:gbg:<gid>:members    | hash        | userId → JSON {r reservation id, name, via, refund} |
 * | <p>:groupbuys:due                    | zset        | `<liveId>/<groupId>` the group-buy clock visits, score = when |
 *
 * API nodes (heartbeats and the crashed-node sweep, realtime/node-registry.ts):
 *
 * | key                                  | type        | holds                                          |
 * |--------------------------------------|-------------|------------------------------------------------|
 * | <p>:nodes                            | hash        | nodeId → last heartbeat (epoch ms)             |
 * | <p>:node:<nodeId>:rooms              | set         | live ids the node holds connections in         |
 * | <p>:node:<nodeId>:sweep              | string      | the node sweeping it (expires)                 |
 */
export function createKeys(prefix: string) {
  const live = (liveId: string) => `${prefix}:{live:${liveId}}`;
  return {
    prefix,
    seq: (liveId: string) => `${live(liveId)}:seq`,
    log: (liveId: string) => `${live(liveId)}:log`,
    moments: (liveId: string) => `${live(liveId)}:moments`,
    conns: (liveId: string) => `${live(liveId)}:conns`,
    online: (liveId: string) => `${live(liveId)}:online`,
    peak: (liveId: string) => `${live(liveId)}:peak`,
    uniqueViewers: (liveId: string) => `${live(liveId)}:viewers`,
    joins: (liveId: string, second: number) => `${live(liveId)}:joins:${second}`,
    leaves: (liveId: string, second: number) => `${live(liveId)}:leaves:${second}`,
    nodeConns: (liveId: string, nodeId: string) => `${live(liveId)}:node:${nodeId}`,
    status: (liveId: string) => `${live(liveId)}:status`,
    // Interaction (see the second table above).
    moderators: (liveId: string) => `${live(liveId)}:mods`,
    chat: (liveId: string) => `${live(liveId)}:chat`,
    keywords: (liveId: string) => `${live(liveId)}:kw`,
    bans: (liveId: string) => `${live(liveId)}:bans`,
    devices: (liveId: string) => `${live(liveId)}:devices`,
    mute: (liveId: string, userId: string) => `${live(liveId)}:mute:${userId}`,
    shadow: (liveId: string) => `${live(liveId)}:shadow`,
    commentRate: (liveId: string, userId: string) => `${live(liveId)}:crl:${userId}`,
    slow: (liveId: string, userId: string) => `${live(liveId)}:slow:${userId}`,
    commentsPerSecond: (liveId: string, second: number) => `${live(liveId)}:cps:${second}`,
    recentComments: (liveId: string) => `${live(liveId)}:comments`,
    commentData: (liveId: string) => `${live(liveId)}:comment`,
    commentIndex: (liveId: string) => `${live(liveId)}:cidx`,
    redacted: (liveId: string) => `${live(liveId)}:redacted`,
    held: (liveId: string) => `${live(liveId)}:held`,
    ownComments: (liveId: string, userId: string) => `${live(liveId)}:own:${userId}`,
    pinned: (liveId: string) => `${live(liveId)}:pinned`,
    likes: (liveId: string) => `${live(liveId)}:likes`,
    /** Zset userId → taps counted in the live (written by the like flush; the growth loop reads it). */
    likesBy: (liveId: string) => `${live(liveId)}:lb:likes`,
    crisis: (liveId: string) => `${live(liveId)}:crisis`,
    crisisOn: (liveId: string) => `${live(liveId)}:crisis:on`,
    crisisSamples: (liveId: string) => `${live(liveId)}:crisis:samples`,
    likeGoals: (liveId: string) => `${live(liveId)}:goals`,
    likeGoal: (liveId: string) => `${live(liveId)}:goal`,
    likeGoalsReached: (liveId: string) => `${live(liveId)}:goals:reached`,
    /** String with a TTL: the current like-flush slot of a room (one INCRBY per slot across nodes). */
    likeFlushSlot: (liveId: string) => `${live(liveId)}:likes:slot`,
    rate: (liveId: string, scope: string, userId: string) => `${live(liveId)}:rl:${scope}:${userId}`,
    qaVoters: (liveId: string) => `${live(liveId)}:qa:voters`,
    poll: (liveId: string) => `${live(liveId)}:poll`,
    pollVoters: (liveId: string, pollId: string) => `${live(liveId)}:poll:${pollId}:voters`,
    pollTally: (liveId: string, pollId: string) => `${live(liveId)}:poll:${pollId}:tally`,
    shares: (liveId: string) => `${live(liveId)}:shares`,
    shareJoins: (liveId: string) => `${live(liveId)}:sharejoins`,
    refJoined: (liveId: string) => `${live(liveId)}:refjoined`,
    followers: (hostId: string) => `${prefix}:{host:${hostId}}:followers`,
    /** Hash userId → fan level (active/loyal/high_value) with the host: the ledger's levels, mirrored for chat. */
    fanLevels: (hostId: string) => `${prefix}:{host:${hostId}}:fanlevels`,
    // Commerce (see the third table above).
    commerce: (liveId: string) => `${live(liveId)}:commerce`,
    products: (liveId: string) => `${live(liveId)}:products`,
    pinnedProduct: (liveId: string) => `${live(liveId)}:pinned-product`,
    productSeen: (liveId: string, productId: string) => `${live(liveId)}:product:${productId}:seen`,
    productClickers: (liveId: string, productId: string) => `${live(liveId)}:product:${productId}:clickers`,
    productClicks: (liveId: string) => `${live(liveId)}:product-clicks`,
    productUsers: (liveId: string, productId: string) => `${live(liveId)}:product:${productId}:users`,
    sales: (liveId: string) => `${live(liveId)}:sales`,
    sale: (liveId: string, saleId: string) => `${live(liveId)}:sale:${saleId}`,
    saleFair: (liveId: string, saleId: string) => `${live(liveId)}:sale:${saleId}:fair`,
    saleTickets: (liveId: string, saleId: string) => `${live(liveId)}:sale:${saleId}:tickets`,
    saleUsers: (liveId: string, saleId: string) => `${live(liveId)}:sale:${saleId}:users`,
    saleExpiry: (liveId: string, saleId: string) => `${live(liveId)}:sale:${saleId}:exp`,
    reservations: (liveId: string) => `${live(liveId)}:resv`,
    userReservations: (liveId: string) => `${live(liveId)}:resv:byuser`,
    idempotency: (liveId: string) => `${live(liveId)}:idem`,
    buyers: (liveId: string) => `${live(liveId)}:buyers`,
    coupons: (liveId: string) => `${live(liveId)}:coupons`,
    couponClaims: (liveId: string) => `${live(liveId)}:coupon:claims`,
    couponUses: (liveId: string) => `${live(liveId)}:coupon:uses`,
    activeSales: `${prefix}:commerce:active-sales`,
    // Lottery and watch time (see the fourth table above).
    lottery: (liveId: string) => `${live(liveId)}:lottery`,
    lotteryEntrants: (liveId: string, lotteryId: string) => `${live(liveId)}:lottery:${lotteryId}:entrants`,
    watchSince: (liveId: string) => `${live(liveId)}:watch:since`,
    watchMs: (liveId: string) => `${live(liveId)}:watch:ms`,
    // Auctions (see the auctions table above).
    auctions: (liveId: string) => `${live(liveId)}:auctions`,
    auction: (liveId: string, auctionId: string) => `${live(liveId)}:auction:${auctionId}`,
    auctionBidders: (liveId: string, auctionId: string) => `${live(liveId)}:auction:${auctionId}:bidders`,
    auctionActive: (liveId: string) => `${live(liveId)}:auction:active`,
    auctionDefaulters: (liveId: string) => `${live(liveId)}:auction:defaulters`,
    auctionsDue: `${prefix}:auctions:due`,
    invite: (liveId: string) => `${live(liveId)}:invite`,
    inviteUsers: (liveId: string) => `${live(liveId)}:invite:users`,
    inviteDevices: (liveId: string) => `${live(liveId)}:invite:devices`,
    inviteProgress: (liveId: string) => `${live(liveId)}:invite:progress`,
    inviteRewarded: (liveId: string) => `${live(liveId)}:invite:rewarded`,
    // Group buys (see the auctions table above).
    groupBuys: (liveId: string) => `${live(liveId)}:gb:offers`,
    groupBuy: (liveId: string, offerId: string) => `${live(liveId)}:gb:${offerId}`,
    groupBuyUsers: (liveId: string, offerId: string) => `${live(liveId)}:gb:${offerId}:users`,
    groupBuyOpen: (liveId: string, offerId: string) => `${live(liveId)}:gb:${offerId}:open`,
    group: (liveId: string, groupId: string) => `${live(liveId)}:gbg:${groupId}`,
    groupMembers: (liveId: string, groupId: string) => `${live(liveId)}:gbg:${groupId}:members`,
    groupsDue: `${prefix}:groupbuys:due`,
    // API nodes (global keys: not tied to one live).
    /** Hash: nodeId → last heartbeat (epoch ms) of every live API node. */
    nodes: `${prefix}:nodes`,
    /** Set: live ids a node holds (or held) connections in; read when the node is swept. */
    nodeRooms: (nodeId: string) => `${prefix}:node:${nodeId}:rooms`,
    /** String with a TTL: the survivor sweeping a dead node (its node id), so one sweeps it at a time. */
    nodeSweep: (nodeId: string) => `${prefix}:node:${nodeId}:sweep`,
    /** Prefix for BullMQ queues (BullMQ builds its own keys below it). */
    bullPrefix: `${prefix}:bull`,
    /** Socket.IO Redis adapter channel prefix. */
    adapterChannel: `${prefix}:sio`,
  };
}
export type Keys = ReturnType<typeof createKeys>;
