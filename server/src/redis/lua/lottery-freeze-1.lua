--[[
  The draw guard: exactly one caller (any node, host command or deadline) moves the lottery from open to
  drawing; entries are refused from then on.

  KEYS[1] current lottery hash
  ARGV[1] lottery id   ARGV[2] now (ms)   ARGV[3] force (1: host command, draws before the deadline)
  ARGV[4] drawer tag (node id, for diagnostics)

  Returns: 1 this caller draws; -1 no such lottery; -2 already drawing or drawn; -3 not due yet
]]
local l = redis.call('HMGET', KEYS[1], 'id', 'status', 'closesAt')
if l[1] ~= ARGV[1] then return -1 end
if l[2] ~= 'open' then return -2 end
if ARGV[3] ~= '1' and tonumber(ARGV[2]) < tonumber(l[3]) then return -3 end
redis.call('HSET', KEYS[1], 'status', 'drawing', 'drawer', ARGV[4], 'frozenAt', ARGV[2])
return 1
