--[[
  An API node's heartbeat.

  KEYS[1] nodes hash (nodeId -> last heartbeat ms, or `sweeping:<ms>` / `repair:<ms>` while being cleaned up)
  KEYS[2] the node's sweep lock (string: who holds it)
  ARGV[1] nodeId   ARGV[2] now (ms)   ARGV[3] lock ttl (ms)
  ARGV[4] 1 on the first beat of a process (a node restarted under the same id repairs its previous life)

  Returns: 1 beat recorded;
           0 the node was not listed as alive (a process's first beat, or survivors swept it while it was
             stalled): the node now holds its own lock and must repair — release what is left of its presence, record its
             connections again, then call node-repaired-2;
           -1 a survivor is sweeping this node right now: nothing written, beat again later
]]
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v and tonumber(v) and ARGV[4] ~= '1' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
local last = ARGV[2]
if v then last = string.match(v, '(%d+)$') or ARGV[2] end
redis.call('SET', KEYS[2], ARGV[1], 'PX', tonumber(ARGV[3]))
redis.call('HSET', KEYS[1], ARGV[1], 'repair:' .. last)
return 0
