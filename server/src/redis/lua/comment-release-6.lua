--[[
  Publishes a held comment a moderator approved (same writes as a published comment in comment-send-14.lua).

  KEYS[1] held hash   KEYS[2] room seq   KEYS[3] room log   KEYS[4] recent comments zset
  KEYS[5] comment data hash   KEYS[6] comment index hash
  ARGV[1] comment id   ARGV[2] event type   ARGV[3] now (ms)   ARGV[4] log max length   ARGV[5] recent kept

  Returns: { seq, json } published; { -1, '' } not held (already reviewed, or never held)
]]
local json = redis.call('HGET', KEYS[1], ARGV[1])
if not json then return { -1, '' } end
redis.call('HDEL', KEYS[1], ARGV[1])
local author = cjson.decode(json).by.id
local seq = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[3], 'MAXLEN', tonumber(ARGV[4]), seq .. '-0', 't', ARGV[2], 'd', json, 'at', ARGV[3])
redis.call('ZADD', KEYS[4], seq, ARGV[1])
redis.call('HSET', KEYS[5], ARGV[1], json)
redis.call('HSET', KEYS[6], ARGV[1], seq .. '|' .. author)
local over = redis.call('ZCARD', KEYS[4]) - tonumber(ARGV[5])
if over > 0 then
  local popped = redis.call('ZPOPMIN', KEYS[4], over)
  for i = 1, #popped, 2 do redis.call('HDEL', KEYS[5], popped[i]) end
end
return { seq, json }
