--[[
  Closes a user's watch session in a room (their last connection left): adds its length to the total.

  KEYS[1] watch-since hash (userId -> session start ms)   KEYS[2] watch-ms hash (userId -> ms over closed sessions)
  ARGV[1] userId   ARGV[2] now (ms)

  Returns: the user's total watched ms (0 when no session was open)
]]
local since = redis.call('HGET', KEYS[1], ARGV[1])
if not since then return tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0') end
redis.call('HDEL', KEYS[1], ARGV[1])
return redis.call('HINCRBY', KEYS[2], ARGV[1], math.max(0, tonumber(ARGV[2]) - tonumber(since)))
