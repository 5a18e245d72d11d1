--[[
  One vote per user in the open poll, refused after the deadline on the server clock.

  KEYS[1] current poll hash   KEYS[2] voters hash of the poll (userId -> option)   KEYS[3] tally hash (option -> votes)
  ARGV[1] poll id   ARGV[2] userId   ARGV[3] option index   ARGV[4] now (ms)   ARGV[5] number of options

  Returns: 1 counted; -1 no such poll (not the current one); -2 closed; -3 bad option; -4 already voted
]]
local p = redis.call('HMGET', KEYS[1], 'id', 'status', 'closesAt')
if p[1] ~= ARGV[1] then return -1 end
if p[2] ~= 'open' or tonumber(ARGV[4]) >= tonumber(p[3]) then return -2 end
if tonumber(ARGV[3]) >= tonumber(ARGV[5]) then return -3 end
if redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[3]) == 0 then return -4 end
redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
return 1
