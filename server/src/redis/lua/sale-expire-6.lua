--[[
  Releases unpaid holds of one sale back to stock. Each hold is released at most once: its status moves to
  `expired` in the same atomic step that returns its units, so concurrent sweepers never double-return.

  KEYS[1] sale       hash  counters remaining / reserved / ver
  KEYS[2] saleUsers  hash  userId → units held in the sale
  KEYS[3] prodUsers  hash  userId → units held over every sale of the product
  KEYS[4] resv       hash  reservation id → reservation JSON
  KEYS[5] exp        zset  unpaid reservation ids of the sale, score = deadline (ms)
  KEYS[6] couponUses hash  "<couponId>:<userId>:<n>" → reservation id holding claim n
  ARGV[1] now (ms)
  ARGV[2] at most this many holds per call
  ARGV[3] mode: 'due' — holds whose deadline passed (reserved or paying)
                'unpaid' — end of live: every `reserved` hold now, `paying` ones once their deadline passed

  Returns {holds released, units released, holds still paying (not yet due), holds left in exp}.
]]
local now, limit, mode = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local released, units, paying = 0, 0, 0

local function decr(key, field, q)
  if redis.call('HINCRBY', key, field, -q) <= 0 then redis.call('HDEL', key, field) end
end

local ids
if mode == 'due' then
  ids = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now, 'LIMIT', 0, limit)
else
  ids = redis.call('ZRANGE', KEYS[5], 0, -1, 'WITHSCORES')
end

local step = mode == 'due' and 1 or 2
for i = 1, #ids, step do
  if released >= limit then break end
  local id = ids[i]
  local raw = redis.call('HGET', KEYS[4], id)
  local r = raw and cjson.decode(raw)
  if not r or (r.status ~= 'reserved' and r.status ~= 'paying') then
    redis.call('ZREM', KEYS[5], id)
  elseif mode == 'unpaid' and r.status == 'paying' and tonumber(ids[i + 1]) > now then
    paying = paying + 1
  else
    local q = r.quantity
    if r.status == 'paying' and r.couponId then
      redis.call('HDEL', KEYS[6], r.couponId .. ':' .. r.userId .. ':' .. r.couponClaim)
    end
    r.status = 'expired'
    r.expiredAt = now
    redis.call('HSET', KEYS[4], id, cjson.encode(r))
    redis.call('ZREM', KEYS[5], id)
    redis.call('HINCRBY', KEYS[1], 'remaining', q)
    redis.call('HINCRBY', KEYS[1], 'reserved', -q)
    redis.call('HINCRBY', KEYS[1], 'ver', 1)
    decr(KEYS[2], r.userId, q)
    decr(KEYS[3], r.userId, q)
    released = released + 1
    units = units + q
  end
end
return {released, units, paying, redis.call('ZCARD', KEYS[5])}
