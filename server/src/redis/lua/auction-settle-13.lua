--[[
  Moves an auction along after its end, exactly once per step whoever calls it (every API node's auction clock
  does, on the Redis server clock):
  open, end passed    → the hammer: the leader holds the item (a reservation of the auction's one-unit sale at
                        the hammer price, payable until now + payMs), or no sale (no bids, reserve not met, the
                        live ended);
  awarded             → paid: sold. Released unpaid (sale-expire-6 marked it expired): the holder becomes a
                        defaulter and the next-highest ceiling not yet offered (at least the reserve) is offered
                        the item at that ceiling; none left: no sale.
  Each change appends its room event in the same step.

  KEYS[1] auction    hash   (see auction-bid-7.lua) + saleId productId currency payMs holder holderName
                            holderPrice holderResv payBy offer offered
  KEYS[2] active     string id of the live's open auction (deleted at the hammer)
  KEYS[3] bidders    hash   userId → JSON {m, n, name}
  KEYS[4] commerce   hash   `ended` once the live ended
  KEYS[5] sale       hash   counters remaining / reserved / ver / admitted
  KEYS[6] saleUsers  hash   userId → units held in the sale
  KEYS[7] prodUsers  hash   userId → units held over the product's sales
  KEYS[8] resv       hash   reservation id → reservation JSON
  KEYS[9] exp        zset   the sale's unpaid reservation ids, score = deadline
  KEYS[10] byUser    hash   userId → space-separated reservation ids
  KEYS[11] seq       string room seq
  KEYS[12] log       stream room log
  KEYS[13] defaulters set   users who let a win lapse in this live
  ARGV[1] reservation id to use if the item is awarded now   ARGV[2] room log max length

  Returns {code, payload}:
    0  nothing to do yet: payload = when to look again (epoch ms, server clock)
    1  awarded now: payload = JSON {userId, reservationId, price, currency, payBy, offer}
    2  final now (sold, unsold, cancelled): payload = the status
    3  already final: payload = the status
   -1  AUCTION_NOT_FOUND
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local a = redis.call('HMGET', KEYS[1], 'id', 'status', 'endsAt', 'price', 'leader', 'leaderName', 'reserve',
  'start', 'holderResv', 'offer', 'offered', 'payMs', 'currency', 'liveId', 'saleId', 'productId', 'holder',
  'holderName', 'holderPrice')
if not a[1] then return {-1, ''} end
local id, status = a[1], a[2]
local ended = redis.call('HEXISTS', KEYS[4], 'ended') == 1
local maxLen = tonumber(ARGV[2])

local function event(type, data)
  data.auctionId = id
  local seq = redis.call('INCR', KEYS[11])
  redis.call('XADD', KEYS[12], 'MAXLEN', maxLen, seq .. '-0', 't', type, 'd', cjson.encode(data), 'at', now)
end

local function finish(st, reason, extra)
  redis.call('HSET', KEYS[1], 'status', st, 'finishedAt', now)
  local data = extra or {}
  data.reason = reason
  data.status = st
  event(st == 'sold' and 'auction:sold' or 'auction:ended', data)
  return {2, st}
end

local function award(uid, name, amount, offer, offered)
  local rid = ARGV[1]
  local payBy = now + tonumber(a[12])
  redis.call('HINCRBY', KEYS[5], 'remaining', -1)
  redis.call('HINCRBY', KEYS[5], 'reserved', 1)
  redis.call('HINCRBY', KEYS[5], 'ver', 1)
  redis.call('HINCRBY', KEYS[5], 'admitted', 1)
  redis.call('HINCRBY', KEYS[6], uid, 1)
  redis.call('HINCRBY', KEYS[7], uid, 1)
  local r = {
    id = rid, liveId = a[14], saleId = a[15], productId = a[16], userId = uid, quantity = 1, unitPrice = amount,
    currency = a[13], status = 'reserved', createdAt = now, expiresAt = payBy, admission = offer, auctionId = id,
  }
  redis.call('HSET', KEYS[8], rid, cjson.encode(r))
  redis.call('ZADD', KEYS[9], payBy, rid)
  local mine = redis.call('HGET', KEYS[10], uid)
  redis.call('HSET', KEYS[10], uid, mine and (mine .. ' ' .. rid) or rid)
  redis.call('HSET', KEYS[1], 'status', 'awarded', 'holder', uid, 'holderName', name, 'holderPrice', amount,
    'holderResv', rid, 'payBy', payBy, 'offer', offer, 'offered', offered)
  event(offer == 1 and 'auction:hammer' or 'auction:offered',
    {holder = {id = uid, name = name}, price = amount, payBy = payBy, offer = offer})
  return {1, cjson.encode({
    userId = uid, reservationId = rid, price = amount, currency = a[13], payBy = payBy, offer = offer,
  })}
end

if status == 'open' then
  local endsAt = tonumber(a[3])
  if now < endsAt and not ended then return {0, endsAt} end
  redis.call('DEL', KEYS[2])
  if ended then return finish('cancelled', 'live-ended') end
  local leader = a[5]
  if not leader or leader == '' then return finish('unsold', 'no-bids') end
  local price = tonumber(a[4])
  if price < tonumber(a[7]) then return finish('unsold', 'reserve-not-met', {price = price}) end
  return award(leader, a[6], price, 1, leader)
end

if status ~= 'awarded' then return {3, status} end
local raw = redis.call('HGET', KEYS[8], a[9])
local r = raw and cjson.decode(raw)
local holder = {id = a[17], name = a[18]}
if r and r.status == 'paid' then
  return finish('sold', 'paid', {holder = holder, price = tonumber(a[19])})
end
if r and (r.status == 'reserved' or r.status == 'paying') then
  return {0, r.payDeadline or r.expiresAt}
end
-- The hold was released unpaid: the holder defaulted; offer the next-highest ceiling not yet offered.
redis.call('SADD', KEYS[13], a[17])
if ended then return finish('unsold', 'unpaid', {holder = holder}) end
local seen = {}
for v in string.gmatch(a[11] or '', '%S+') do seen[v] = true end
local floor = math.max(tonumber(a[7]), tonumber(a[8]))
local best, bestM, bestN, bestName
local all = redis.call('HGETALL', KEYS[3])
for i = 1, #all, 2 do
  local uid = all[i]
  if not seen[uid] and redis.call('SISMEMBER', KEYS[13], uid) == 0 then
    local b = cjson.decode(all[i + 1])
    if b.m >= floor and (not best or b.m > bestM or (b.m == bestM and b.n < bestN)) then
      best, bestM, bestN, bestName = uid, b.m, b.n, b.name
    end
  end
end
if not best then return finish('unsold', 'unpaid', {holder = holder}) end
return award(best, bestName, bestM, tonumber(a[10]) + 1, a[11] .. ' ' .. best)
