--[[
  Opens a poll unless another one is still open (one poll at a time per live).

  KEYS[1] current poll hash (id, json, closesAt, status)
  ARGV[1] poll id   ARGV[2] poll JSON {id, question, options, openedAt, closesAt}   ARGV[3] closesAt (ms)

  Returns: 1 opened; or the id of the poll still open (close it first)
]]
if redis.call('HGET', KEYS[1], 'status') == 'open' then return redis.call('HGET', KEYS[1], 'id') end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'json', ARGV[2], 'closesAt', ARGV[3], 'status', 'open')
return 1
