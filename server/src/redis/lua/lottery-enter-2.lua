--[[
  One entry per user in the open lottery, refused outside its window on the server clock.

  KEYS[1] current lottery hash   KEYS[2] entrants set of the lottery
  ARGV[1] lottery id   ARGV[2] userId   ARGV[3] now (ms)

  Returns: entrant count (>= 1) when entered; -1 no such lottery (not the current one); -2 closed;
           -4 already entered
]]
local l = redis.call('HMGET', KEYS[1], 'id', 'status', 'closesAt')
if l[1] ~= ARGV[1] then return -1 end
if l[2] ~= 'open' or tonumber(ARGV[3]) >= tonumber(l[3]) then return -2 end
if redis.call('SADD', KEYS[2], ARGV[2]) == 0 then return -4 end
return redis.call('SCARD', KEYS[2])
