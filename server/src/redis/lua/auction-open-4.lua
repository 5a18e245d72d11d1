--[[
  Opens an auction on the Redis server clock: writes its hash (config, then startsAt / endsAt / capAt from TIME),
  lists it under the live and appends `auction:started` with the view, in one step (so no bid event can precede
  the start). The caller already holds the live's `active` claim (SET NX) and created the one-unit sale.

  KEYS[1] auction   hash   see auction-bid-7.lua and auction-settle-13.lua
  KEYS[2] auctions  zset   auction ids of the live, score = startsAt
  KEYS[3] seq       string room seq
  KEYS[4] log       stream room log
  ARGV[1] the wire view JSON (its startsAt / endsAt / capAt are set here)
  ARGV[2] duration (ms)   ARGV[3] soft-close cap past the scheduled end (ms; 0 for sudden death)
  ARGV[4] room log max length   ARGV[5..] field, value, … of the config

  Returns {1, view JSON}, or {-2, ''} when the auction already exists (nothing changed).
]]
if redis.call('EXISTS', KEYS[1]) == 1 then return {-2, ''} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local endsAt = now + tonumber(ARGV[2])
local capAt = endsAt + tonumber(ARGV[3])
local fields = {}
for i = 5, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('HSET', KEYS[1], 'status', 'open', 'startsAt', now, 'endsAt', endsAt, 'capAt', capAt, 'bids', 0,
  'offer', 0, 'offered', '')
local view = cjson.decode(ARGV[1])
view.startsAt, view.endsAt, view.capAt = now, endsAt, capAt
local data = cjson.encode({auction = view})
redis.call('ZADD', KEYS[2], now, view.id)
local seq = redis.call('INCR', KEYS[3])
redis.call('XADD', KEYS[4], 'MAXLEN', tonumber(ARGV[4]), seq .. '-0', 't', 'auction:started', 'd', data, 'at', now)
return {1, cjson.encode(view)}
