--[[
  Records connections of a user leaving a room (a disconnect, or a dead node's cleanup).

  KEYS[1] conns hash
  KEYS[2] online
  KEYS[3] leaves bucket
  KEYS[4] node conns
  ARGV[1] userId
  ARGV[2] connections to remove (>= 1)
  ARGV[3] bucket ttl seconds

  Returns: { online, lastConnection (1|0) }   -- online unchanged and 0 when the user was not present
]]
local have = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local online = tonumber(redis.call('GET', KEYS[2]) or '0')
if have <= 0 then return { online, 0 } end
local dec = math.min(have, tonumber(ARGV[2]))
local nodeHave = tonumber(redis.call('HGET', KEYS[4], ARGV[1]) or '0')
if nodeHave - dec <= 0 then redis.call('HDEL', KEYS[4], ARGV[1]) else redis.call('HINCRBY', KEYS[4], ARGV[1], -dec) end
if have - dec > 0 then
  redis.call('HINCRBY', KEYS[1], ARGV[1], -dec)
  return { online, 0 }
end
redis.call('HDEL', KEYS[1], ARGV[1])
if online > 0 then online = redis.call('DECR', KEYS[2]) end
redis.call('INCR', KEYS[3])
redis.call('EXPIRE', KEYS[3], tonumber(ARGV[3]))
return { online, 1 }
