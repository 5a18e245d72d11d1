--[[
  Closes a sale early (host request, or the live ended): its window ends at ARGV[1] unless it ended before.
  Holds already made stay valid until their deadline (or until end-of-live settlement releases them).

  KEYS[1] sale  hash  closesAt, closedAt, ver
  ARGV[1] now (ms)

  Returns {1, closesAt} when this call closed it, {0, closesAt} when it was already over, {-1} no such sale.
]]
local closes = redis.call('HGET', KEYS[1], 'closesAt')
if not closes then return {-1} end
local now = tonumber(ARGV[1])
if tonumber(closes) <= now then return {0, tonumber(closes)} end
redis.call('HSET', KEYS[1], 'closesAt', now, 'closedAt', now)
redis.call('HINCRBY', KEYS[1], 'ver', 1)
return {1, now}
