--[[
  The room's current seq and its most recent events, read atomically, with redactions applied (a deleted
  comment's text never reaches a snapshot).

  KEYS[1] seq key
  KEYS[2] log key
  KEYS[3] redacted hash (seq -> data replacing a deleted event's data; may be empty)
  ARGV[1] max events (>= 1)

  Returns: { seq, entries } with entries newest first.
]]
local seq = tonumber(redis.call('GET', KEYS[1]) or '0')
local entries = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', tonumber(ARGV[1]))
if redis.call('EXISTS', KEYS[3]) == 1 then
  for _, e in ipairs(entries) do
    local r = redis.call('HGET', KEYS[3], string.match(e[1], '^(%d+)'))
    if r then
      for i = 1, #e[2], 2 do
        if e[2][i] == 'd' then e[2][i + 1] = r end
      end
    end
  end
end
return { seq, entries }
