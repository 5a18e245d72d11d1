--[[
  Creates a sale's Redis state (config + counters) and lists it under its live, once.

  KEYS[1] sale   hash  (see sale-reserve-9.lua for the fields)
  KEYS[2] sales  set   sale ids of the live
  ARGV    field, value, field, value, … (the whole initial hash)

  Returns 1 created, 0 it already existed (nothing changed: counters are never reset).
]]
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
redis.call('SADD', KEYS[2], redis.call('HGET', KEYS[1], 'id'))
return 1
