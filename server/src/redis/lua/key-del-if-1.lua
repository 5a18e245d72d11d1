--[[
  Compare-and-delete: removes a string key only while it still holds the expected value (e.g. unpin the
  product being deleted, never one the host pinned meanwhile).

  KEYS[1] the key   ARGV[1] expected value
  Returns 1 deleted, 0 the key held something else (or nothing).
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
