--[[
  Removes one field of a hash and returns its value, atomically (of two concurrent takers, one gets it).

  KEYS[1] hash
  ARGV[1] field

  Returns: the value, or false (nil) when the field was absent.
]]
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v then redis.call('HDEL', KEYS[1], ARGV[1]) end
return v
