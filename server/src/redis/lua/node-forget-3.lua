--[[
  A survivor finished sweeping a dead node (every room it held released): forget the node.

  KEYS[1] nodes hash   KEYS[2] the node's sweep lock   KEYS[3] the node's rooms set
  ARGV[1] nodeId   ARGV[2] sweeper nodeId

  Returns: 1 forgotten; 0 the lock was no longer the sweeper's (it expired: another survivor redoes the sweep,
           which is idempotent)
]]
if redis.call('GET', KEYS[2]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[3])
redis.call('DEL', KEYS[2])
return 1
