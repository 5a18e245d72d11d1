--[[
  A survivor claims the sweep of a node: one that stopped heartbeating, or whose sweep or repair was left
  unfinished (its lock expired). Exactly one caller wins, and only while the node's entry is still the one the
  caller saw (a node that beat meanwhile is alive).

  KEYS[1] nodes hash   KEYS[2] the node's sweep lock
  ARGV[1] nodeId   ARGV[2] its entry as the caller read it   ARGV[3] sweeper nodeId   ARGV[4] lock ttl (ms)

  Returns: 1 claimed: the node is marked `sweeping:<last beat ms>` and locked for the caller;
           0 not claimed: another holds its lock, or its entry changed
]]
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
if not redis.call('SET', KEYS[2], ARGV[3], 'NX', 'PX', tonumber(ARGV[4])) then return 0 end
local last = tonumber(ARGV[2]) or string.match(ARGV[2], ':(%d+)$')
redis.call('HSET', KEYS[1], ARGV[1], 'sweeping:' .. last)
return 1
