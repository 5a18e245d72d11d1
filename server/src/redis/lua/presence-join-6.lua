--[[
  Records one connection of a user joining a room.

  KEYS[1] conns hash     (userId -> open connections in this room, all nodes)
  KEYS[2] online         (users with >= 1 connection)
  KEYS[3] peak           (max online)
  KEYS[4] viewers        (set of user ids: exact unique viewers; a HyperLogLog would be off by ~1%)
  KEYS[5] joins bucket   (joins this epoch second)
  KEYS[6] node conns     (userId -> connections held by the calling node; for crash cleanup)
  ARGV[1] userId
  ARGV[2] bucket ttl seconds

  Returns: { online, peak, firstConnection (1|0) }
  NOTE: a user with two tabs counts once in `online`; joins count every first connection.
]]
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('HINCRBY', KEYS[6], ARGV[1], 1)
local online = tonumber(redis.call('GET', KEYS[2]) or '0')
local first = 0
if n == 1 then
  online = redis.call('INCR', KEYS[2])
  first = 1
  redis.call('SADD', KEYS[4], ARGV[1])
  redis.call('INCR', KEYS[5])
  redis.call('EXPIRE', KEYS[5], tonumber(ARGV[2]))
end
local peak = tonumber(redis.call('GET', KEYS[3]) or '0')
if online > peak then
  redis.call('SET', KEYS[3], online)
  peak = online
end
return { online, peak, first }
