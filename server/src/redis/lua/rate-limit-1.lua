--[[
  Generic cell-rate (GCRA) limiter: at most ARGV[3] actions at once, then one per ARGV[2] ms.

  KEYS[1] limiter state (theoretical arrival time, ms; expires when idle)
  ARGV[1] now (ms)   ARGV[2] interval ms   ARGV[3] burst

  Returns: 0 allowed (and consumed), or the milliseconds to wait before the next allowed action.
]]
local now, interval, burst = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now) + interval
if tat - now > burst * interval then return tat - now - burst * interval end
redis.call('SET', KEYS[1], tat, 'PX', math.max(1, tat - now))
return 0
