--[[
  Reads the events a client missed, or says the gap is too old.

  KEYS[1] seq key
  KEYS[2] log key
  KEYS[3] redacted hash (seq -> data replacing a deleted event's data; may be empty)
  ARGV[1] lastSeq the client applied (>= 0)
  ARGV[2] max events to return

  Returns: { code, seq, entries }
    code  1 -> entries are exactly seq lastSeq+1 .. seq (possibly empty), redactions applied
    code -1 -> gap too old: the log no longer holds lastSeq+1
    code -2 -> lastSeq is ahead of the room's seq (client from another room epoch)
    code -3 -> more than ARGV[2] events missed
]]
local seq = tonumber(redis.call('GET', KEYS[1]) or '0')
local last = tonumber(ARGV[1])
if last > seq then return { -2, seq, {} } end
if last == seq then return { 1, seq, {} } end
local missed = seq - last
if missed > tonumber(ARGV[2]) then return { -3, seq, {} } end
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
if #first == 0 then return { -1, seq, {} } end
local firstSeq = tonumber(string.match(first[1][1], '^(%d+)'))
if firstSeq > last + 1 then return { -1, seq, {} } end
local entries = redis.call('XRANGE', KEYS[2], (last + 1) .. '-0', seq .. '-0')
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
return { 1, seq, entries }
