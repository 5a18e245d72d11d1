--[[
  One bid on a live auction, decided on the Redis server clock (TIME), so every node agrees on the end and no
  bid at or after it is accepted. Checks the auction is open, the bidder's eligibility (not banned by user or
  device, not a defaulted winner of this live) and the increment table; resolves proxy ceilings as an English
  auction; moves the end on a soft close (never past the cap); writes the high bid and appends the room event
  in the same step, so room seq order is bid order.

  KEYS[1] auction    hash  config (start reserve incs mode softMs capAt) + state (status endsAt price leader
                           leaderName leaderMax bids)
  KEYS[2] bidders    hash  userId → JSON {m = ceiling, n = bid number that set it, name}
  KEYS[3] bans       set   `u:<userId>`, `d:<deviceId>`
  KEYS[4] defaulters set   users who let an auction win of this live lapse unpaid
  KEYS[5] commerce   hash  `ended` once the live ended
  KEYS[6] seq        string room seq
  KEYS[7] log        stream room log
  ARGV[1] userId  ARGV[2] display name  ARGV[3] amount  ARGV[4] max ('' = none)  ARGV[5] device id ('' = none)
  ARGV[6] room log max length  ARGV[7] event type

  Returns {code, payload}:
    1  accepted, the high bid moved: payload = JSON {price, endsAt, leading, yourMax, minBid, outbid, seq}
    2  accepted, the leader raised their ceiling (no public change): payload = same JSON without seq
   -1  AUCTION_NOT_FOUND   -3 AUCTION_ENDED   -4 BID_TOO_LOW (payload = the lowest acceptable bid)
   -5  BANNED              -6 AUCTION_NOT_ELIGIBLE (a lapsed win in this live)
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local a = redis.call('HMGET', KEYS[1], 'status', 'endsAt', 'capAt', 'mode', 'softMs', 'start', 'reserve', 'incs',
  'price', 'leader', 'leaderMax', 'leaderName', 'bids', 'id')
if not a[1] then return {-1, ''} end
if a[1] ~= 'open' or now >= tonumber(a[2]) or redis.call('HEXISTS', KEYS[5], 'ended') == 1 then
  return {-3, ''}
end
local u, name, amount = ARGV[1], ARGV[2], tonumber(ARGV[3])
local max = ARGV[4] ~= '' and tonumber(ARGV[4]) or amount
if redis.call('SISMEMBER', KEYS[3], 'u:' .. u) == 1 then return {-5, ''} end
if ARGV[5] ~= '' and redis.call('SISMEMBER', KEYS[3], 'd:' .. ARGV[5]) == 1 then return {-5, ''} end
if redis.call('SISMEMBER', KEYS[4], u) == 1 then return {-6, ''} end

local froms, steps = {}, {}
for f, s in string.gmatch(a[8], '(%d+):(%d+)') do
  froms[#froms + 1] = tonumber(f)
  steps[#steps + 1] = tonumber(s)
end
local function inc(p)
  local s = steps[1]
  for i = 1, #froms do
    if p >= froms[i] then s = steps[i] end
  end
  return s
end

local endsAt, capAt = tonumber(a[2]), tonumber(a[3])
local start, reserve = tonumber(a[6]), tonumber(a[7])
local price = a[9] and a[9] ~= '' and tonumber(a[9]) or nil
local leader = a[10] and a[10] ~= '' and a[10] or nil
local leaderMax = tonumber(a[11] or '0') or 0
local bids = tonumber(a[13] or '0')
local minBid = price and (price + inc(price)) or start
local ceiling = math.max(amount, max)

local newPrice, newLeader, newLeaderName, newMax, outbid
if leader == u then
  -- The leader raises their ceiling; the price moves only if that meets the reserve.
  if ceiling <= leaderMax then return {-4, leaderMax + 1} end
  newLeader, newLeaderName, newMax, newPrice = u, name, ceiling, price
  if reserve > 0 and price < reserve and ceiling >= reserve then newPrice = reserve end
  redis.call('HSET', KEYS[2], u, cjson.encode({m = ceiling, n = bids, name = name}))
  if newPrice == price then
    redis.call('HSET', KEYS[1], 'leaderMax', ceiling)
    return {2, cjson.encode({price = price, endsAt = endsAt, leading = true, yourMax = ceiling, minBid = minBid})}
  end
else
  if amount < minBid then return {-4, minBid} end
  if not leader then
    newLeader, newLeaderName, newMax, newPrice = u, name, ceiling, amount
  elseif ceiling > leaderMax then
    -- The challenger takes the lead at one increment over the old ceiling (at least their bid, at most theirs).
    newLeader, newLeaderName, newMax = u, name, ceiling
    newPrice = math.max(amount, math.min(ceiling, leaderMax + inc(leaderMax)))
    outbid = leader
  else
    -- The leader's proxy answers: one increment over the challenger's ceiling, capped by the leader's.
    newLeader, newLeaderName, newMax = leader, a[12], leaderMax
    newPrice = math.min(leaderMax, ceiling + inc(ceiling))
  end
  if reserve > 0 and newPrice < reserve and newMax >= reserve then newPrice = reserve end
  redis.call('HSET', KEYS[2], u, cjson.encode({m = ceiling, n = bids + 1, name = name}))
end

bids = bids + 1
if a[4] == 'soft' then
  local softMs = tonumber(a[5])
  if endsAt - now < softMs then endsAt = math.min(math.max(endsAt, now + softMs), capAt) end
end
redis.call('HSET', KEYS[1], 'price', newPrice, 'leader', newLeader, 'leaderName', newLeaderName,
  'leaderMax', newMax, 'bids', bids, 'endsAt', endsAt)

local data = cjson.encode({
  auctionId = a[14], price = newPrice, leader = {id = newLeader, name = newLeaderName}, by = {id = u, name = name},
  at = now, endsAt = endsAt, bids = bids, reserveMet = reserve == 0 or newPrice >= reserve,
})
local seq = redis.call('INCR', KEYS[6])
redis.call('XADD', KEYS[7], 'MAXLEN', tonumber(ARGV[6]), seq .. '-0', 't', ARGV[7], 'd', data, 'at', now)
return {1, cjson.encode({
  price = newPrice, endsAt = endsAt, leading = newLeader == u, yourMax = ceiling,
  minBid = newPrice + inc(newPrice), outbid = outbid or '', seq = seq,
})}
