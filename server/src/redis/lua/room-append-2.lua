--[[
  Appends one event to a room's log with the next seq.

  KEYS[1] seq key      (string, INCR)
  KEYS[2] log key      (stream; entry id is "<seq>-0" so stream order == seq order)
  ARGV[1] event type
  ARGV[2] event data   (JSON string)
  ARGV[3] at           (epoch ms, server clock)
  ARGV[4] max log length (exact trim: the oldest kept seq is known precisely)

  Returns: the new seq (integer > 0).
  NOTE: seq and log are written in one script, so no reader ever sees a seq without its event.
]]
local seq = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', tonumber(ARGV[4]), seq .. '-0', 't', ARGV[1], 'd', ARGV[2], 'at', ARGV[3])
return seq
