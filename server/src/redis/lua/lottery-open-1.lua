--[[
  Opens a lottery unless another one of the live is still open or drawing (one at a time per live).

  KEYS[1] current lottery hash (id, json, closesAt, status, seed, result)
  ARGV[1] lottery id   ARGV[2] lottery JSON (public fields)   ARGV[3] closesAt (ms)   ARGV[4] seed (hex, secret)

  Returns: 1 opened; or the id of the lottery still open/drawing
]]
local st = redis.call('HGET', KEYS[1], 'status')
if st == 'open' or st == 'drawing' then return redis.call('HGET', KEYS[1], 'id') end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'json', ARGV[2], 'closesAt', ARGV[3], 'status', 'open', 'seed', ARGV[4])
return 1
