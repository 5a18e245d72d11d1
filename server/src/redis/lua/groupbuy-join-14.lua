--[[
  Starts a group of a group-buy offer (the caller leads it) or joins an open one, on the Redis server clock, in
  one step: the seat, one unit of the offer's sale held for the member (a commerce reservation at the group
  price, payable until the group's deadline + payMs) and the room event(s). The seat that fills the group
  marks it filled in the same step, so concurrent joins for the last seat never overfill.

  KEYS[1] offer      hash   id liveId saleId productId price currency size limitMs closesAt payMs
  KEYS[2] group      hash   id offerId leader leaderName size n status expiresAt payBy createdAt filledAt
  KEYS[3] members    hash   userId → JSON {r, name, via, at}
  KEYS[4] offerUsers hash   userId → group id they hold a seat in (one per offer)
  KEYS[5] open       zset   open group ids of the offer, score = expiresAt
  KEYS[6] sale       hash   counters remaining / reserved / ver / admitted
  KEYS[7] saleUsers  hash   userId → units held in the sale
  KEYS[8] prodUsers  hash   userId → units held over the product's sales
  KEYS[9] resv       hash   reservation id → reservation JSON
  KEYS[10] exp       zset   the sale's unpaid reservation ids, score = deadline
  KEYS[11] byUser    hash   userId → space-separated reservation ids
  KEYS[12] bans      set    `u:<userId>`, `d:<deviceId>`
  KEYS[13] seq       string room seq
  KEYS[14] log       stream room log
  ARGV[1] userId  ARGV[2] display name  ARGV[3] 'start' | 'join'  ARGV[4] group id (new for start)
  ARGV[5] reservation id  ARGV[6] attributed sharer id ('' for none)  ARGV[7] room log max length
  ARGV[8] space-separated ban members of the caller  ARGV[9] 1 when the live has ended

  Returns {code, payload}:
    1  joined: payload = JSON {group, reservationId, payBy}   2  joined and the group filled (same payload)
   -1 GROUPBUY_NOT_FOUND   -2 GROUPBUY_CLOSED   -3 GROUP_NOT_FOUND   -4 GROUP_EXPIRED   -5 GROUP_FULL
   -6 SOLD_OUT   -7 ALREADY_IN_GROUP (payload = the group id)   -8 BANNED
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local uid, name, mode, gid, rid, via = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local maxLen = tonumber(ARGV[7])

local o = redis.call('HMGET', KEYS[1], 'id', 'liveId', 'saleId', 'productId', 'price', 'currency', 'size',
  'limitMs', 'closesAt', 'payMs')
if not o[1] then return {-1, ''} end
for m in string.gmatch(ARGV[8], '%S+') do
  if redis.call('SISMEMBER', KEYS[12], m) == 1 then return {-8, ''} end
end
local held = redis.call('HGET', KEYS[4], uid)
if held then return {-7, held} end

local function event(type, data)
  local seq = redis.call('INCR', KEYS[13])
  redis.call('XADD', KEYS[14], 'MAXLEN', maxLen, seq .. '-0', 't', type, 'd', cjson.encode(data), 'at', now)
end

if mode == 'start' then
  if ARGV[9] == '1' or now >= tonumber(o[9]) then return {-2, ''} end
  if redis.call('EXISTS', KEYS[2]) == 1 then return {-3, ''} end
  local expiresAt = now + tonumber(o[8])
  redis.call('HSET', KEYS[2], 'id', gid, 'offerId', o[1], 'leader', uid, 'leaderName', name, 'size', o[7],
    'n', 0, 'status', 'open', 'expiresAt', expiresAt, 'payBy', expiresAt + tonumber(o[10]), 'createdAt', now)
  redis.call('ZADD', KEYS[5], expiresAt, gid)
else
  local g = redis.call('HMGET', KEYS[2], 'offerId', 'status', 'expiresAt', 'n', 'size')
  if g[1] ~= o[1] then return {-3, ''} end
  if g[2] == 'filled' or tonumber(g[4]) >= tonumber(g[5]) then return {-5, ''} end
  if g[2] ~= 'open' or now >= tonumber(g[3]) or ARGV[9] == '1' then return {-4, ''} end
end

if tonumber(redis.call('HGET', KEYS[6], 'remaining') or '0') < 1 then
  if mode == 'start' then
    redis.call('DEL', KEYS[2])
    redis.call('ZREM', KEYS[5], gid)
  end
  return {-6, ''}
end

local g = redis.call('HMGET', KEYS[2], 'leader', 'leaderName', 'size', 'expiresAt', 'payBy')
local payBy = tonumber(g[5])
redis.call('HINCRBY', KEYS[6], 'remaining', -1)
redis.call('HINCRBY', KEYS[6], 'reserved', 1)
redis.call('HINCRBY', KEYS[6], 'ver', 1)
redis.call('HINCRBY', KEYS[6], 'admitted', 1)
redis.call('HINCRBY', KEYS[7], uid, 1)
redis.call('HINCRBY', KEYS[8], uid, 1)
local r = {
  id = rid, liveId = o[2], saleId = o[3], productId = o[4], userId = uid, quantity = 1,
  unitPrice = tonumber(o[5]), currency = o[6], status = 'reserved', createdAt = now, expiresAt = payBy,
  groupBuyId = o[1], groupId = gid,
}
if via ~= '' then r.via = via end
redis.call('HSET', KEYS[9], rid, cjson.encode(r))
redis.call('ZADD', KEYS[10], payBy, rid)
local mine = redis.call('HGET', KEYS[11], uid)
redis.call('HSET', KEYS[11], uid, mine and (mine .. ' ' .. rid) or rid)
redis.call('HSET', KEYS[3], uid, cjson.encode({r = rid, name = name, via = via, at = now}))
redis.call('HSET', KEYS[4], uid, gid)
local n = redis.call('HINCRBY', KEYS[2], 'n', 1)
local size = tonumber(g[3])
local view = {
  id = gid, offerId = o[1], leader = {id = g[1], name = g[2]}, size = size, members = n, status = 'open',
  expiresAt = tonumber(g[4]),
}
event('groupbuy:progress', {offerId = o[1], groupId = gid, members = n, size = size, leader = view.leader,
  expiresAt = view.expiresAt, by = {id = uid, name = name}})
local code = 1
if n >= size then
  redis.call('HSET', KEYS[2], 'status', 'filled', 'filledAt', now)
  redis.call('ZREM', KEYS[5], gid)
  view.status = 'filled'
  event('groupbuy:filled', {offerId = o[1], groupId = gid, members = n, size = size})
  code = 2
end
return {code, cjson.encode({group = view, reservationId = rid, payBy = payBy})}
