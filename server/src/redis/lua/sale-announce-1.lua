--[[
  Rate-limits stock broadcasts of one sale across every node: claims the right to announce the current
  counters when they changed since the last announcement and at least ARGV[2] ms have passed.

  KEYS[1] sale  hash  counters initial / remaining / reserved / sold / ver; annVer, annAt (last announcement)
  ARGV[1] now (ms)   ARGV[2] minimum interval (ms)

  Returns {0} nothing new, {-1, ms to wait} too early, or {1, initial, remaining, reserved, sold, ver}:
  the caller appends one `sale:stock` room event with these counters. A replay sale (field `replay`, sold after
  the live ended) has no room to announce to: always {0}.
  NOTE: two nodes' appends may land out of order; `ver` lets clients keep the newest.
]]
local c = redis.call('HMGET', KEYS[1], 'initial', 'remaining', 'reserved', 'sold', 'ver', 'annVer', 'annAt',
  'replay')
if not c[1] or c[8] == '1' then return {0} end
if c[5] == c[6] then return {0} end
local now, gap = tonumber(ARGV[1]), tonumber(ARGV[2])
local last = tonumber(c[7] or '0')
if now - last < gap then return {-1, gap - (now - last)} end
redis.call('HSET', KEYS[1], 'annVer', c[5], 'annAt', now)
return {1, tonumber(c[1]), tonumber(c[2]), tonumber(c[3]), tonumber(c[4]), tonumber(c[5])}
