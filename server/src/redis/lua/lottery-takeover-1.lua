--[[
  Lets one caller take over a draw left in `drawing` for longer than `staleMs` (its drawing node died
  mid-draw). The new drawer's frozenAt is set to now, so a concurrent second taker sees it fresh and backs off.

  KEYS[1] current lottery hash
  ARGV[1] lottery id   ARGV[2] now (ms)   ARGV[3] staleMs   ARGV[4] drawer tag (node id)

  Returns: 1 this caller finishes the draw; -1 no such lottery; -2 not drawing; -3 the draw is not stale yet
]]
local l = redis.call('HMGET', KEYS[1], 'id', 'status', 'frozenAt')
if l[1] ~= ARGV[1] then return -1 end
if l[2] ~= 'drawing' then return -2 end
if tonumber(ARGV[2]) - tonumber(l[3] or '0') < tonumber(ARGV[3]) then return -3 end
redis.call('HSET', KEYS[1], 'drawer', ARGV[4], 'frozenAt', ARGV[2])
return 1
