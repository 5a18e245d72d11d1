--[[
  Ends a group whose time limit passed unfilled, on the Redis server clock, exactly once: every member's hold
  goes back to the offer's sale (a `reserved` or `paying` hold becomes `expired`, as sale-expire-6.lua does; a
  late success of a `paying` one is refunded by the payment webhook), every `paid` hold becomes `refunding`
  (its unit back to stock, sold − 1) and its member is marked refund `pending`, the seats are freed and
  `groupbuy:expired` is appended. Called again (a crash after this step), it answers the refunds still pending.

  KEYS[1] group      hash   see groupbuy-join-14.lua
  KEYS[2] members    hash   userId → JSON {r, name, via, at, refund}
  KEYS[3] offerUsers hash   userId → group id
  KEYS[4] open       zset   open group ids of the offer
  KEYS[5] sale       hash   counters remaining / reserved / sold / ver
  KEYS[6] saleUsers  hash   userId → units held in the sale
  KEYS[7] prodUsers  hash   userId → units held over the product's sales
  KEYS[8] resv       hash   reservation id → reservation JSON
  KEYS[9] exp        zset   the sale's unpaid reservation ids
  KEYS[10] couponUses hash  "<couponId>:<userId>:<n>" → reservation id holding claim n
  KEYS[11] seq       string room seq
  KEYS[12] log       stream room log
  KEYS[13] offer     hash   the group's offer (id)
  KEYS[14] commerce  hash   `ended` once the live ended
  ARGV[1] room log max length

  Returns {code, payload}:
    0  not due: payload = expiresAt (open) or payBy (filled: its unpaid holds are due then)
    1  expired now: payload = JSON list of pending refunds {userId, reservationId, paymentId, amount, currency}
    2  already expired: payload = the refunds still pending (same shape)
    3  filled: payload = payBy
   -1 GROUP_NOT_FOUND
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local g = redis.call('HMGET', KEYS[1], 'id', 'status', 'expiresAt', 'payBy', 'n', 'size', 'offerId')
if not g[1] then return {-1, ''} end
if g[2] == 'filled' then return {3, tonumber(g[4])} end
local ended = redis.call('HEXISTS', KEYS[14], 'ended') == 1

local function pending()
  local out = {}
  local all = redis.call('HGETALL', KEYS[2])
  for i = 1, #all, 2 do
    local m = cjson.decode(all[i + 1])
    if m.refund == 'pending' then
      local r = cjson.decode(redis.call('HGET', KEYS[8], m.r))
      out[#out + 1] = {userId = all[i], reservationId = m.r, paymentId = r.paymentId, amount = r.total,
        currency = r.currency}
    end
  end
  -- NOTE: cjson encodes an empty table as an object.
  if #out == 0 then return '[]' end
  return cjson.encode(out)
end

if g[2] == 'expired' then return {2, pending()} end
if now < tonumber(g[3]) and not ended then return {0, tonumber(g[3])} end

local function decr(key, field, q)
  if redis.call('HINCRBY', key, field, -q) <= 0 then redis.call('HDEL', key, field) end
end

redis.call('HSET', KEYS[1], 'status', 'expired', 'expiredAt', now)
redis.call('ZREM', KEYS[4], g[1])
local all = redis.call('HGETALL', KEYS[2])
local refunds = 0
for i = 1, #all, 2 do
  local uid = all[i]
  local m = cjson.decode(all[i + 1])
  redis.call('HDEL', KEYS[3], uid)
  local raw = redis.call('HGET', KEYS[8], m.r)
  local r = raw and cjson.decode(raw)
  if r and (r.status == 'reserved' or r.status == 'paying' or r.status == 'paid') then
    local q = r.quantity
    if r.status == 'paid' then
      r.status = 'refunding'
      m.refund = 'pending'
      refunds = refunds + 1
      redis.call('HINCRBY', KEYS[5], 'sold', -q)
    else
      if r.status == 'paying' and r.couponId then
        redis.call('HDEL', KEYS[10], r.couponId .. ':' .. r.userId .. ':' .. r.couponClaim)
      end
      r.status = 'expired'
      redis.call('HINCRBY', KEYS[5], 'reserved', -q)
    end
    r.expiredAt = now
    redis.call('HSET', KEYS[8], m.r, cjson.encode(r))
    redis.call('ZREM', KEYS[9], m.r)
    redis.call('HINCRBY', KEYS[5], 'remaining', q)
    redis.call('HINCRBY', KEYS[5], 'ver', 1)
    decr(KEYS[6], uid, q)
    decr(KEYS[7], uid, q)
    redis.call('HSET', KEYS[2], uid, cjson.encode(m))
  end
end
local seq = redis.call('INCR', KEYS[11])
redis.call('XADD', KEYS[12], 'MAXLEN', tonumber(ARGV[1]), seq .. '-0', 't', 'groupbuy:expired', 'd',
  cjson.encode({offerId = g[7], groupId = g[1], members = tonumber(g[5]), size = tonumber(g[6]),
    refunds = refunds}), 'at', now)
return {1, pending()}
