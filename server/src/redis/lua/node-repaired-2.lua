--[[
  A node finished repairing its presence after node-beat-2 answered 0: it is listed as alive again.

  KEYS[1] nodes hash   KEYS[2] the node's sweep lock
  ARGV[1] nodeId   ARGV[2] now (ms)

  Returns: 1 listed as alive; 0 the lock was no longer the node's (it expired mid-repair: beat again)
]]
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('DEL', KEYS[2])
return 1
