--[[
  Adds a like goal unless the total already reached its threshold.

  KEYS[1] like total   KEYS[2] goals zset   KEYS[3] goal data hash   KEYS[4] reached hash
  ARGV[1] goal id   ARGV[2] threshold   ARGV[3] goal JSON   ARGV[4] max goals per live

  Returns: 1 added; -1 the total already reached the threshold; -2 too many goals
]]
local total = tonumber(redis.call('GET', KEYS[1]) or '0')
if total >= tonumber(ARGV[2]) then return -1 end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return -2 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
return 1
