--[[
  Closes the current poll once: at or after its deadline (server clock), or early when forced by the host,
  and appends the `poll:closed` event with the final tallies.

  KEYS[1] current poll hash   KEYS[2] tally hash   KEYS[3] room seq   KEYS[4] room log
  ARGV[1] poll id   ARGV[2] now (ms)   ARGV[3] force (1|0)   ARGV[4] log max length   ARGV[5] event type

  Returns: { 1, seq, pollJSON } closed now; { 0, 0, pollJSON } already closed; { -1, 0, '' } not the current
  poll; { -2, 0, '' } still open (deadline not reached, not forced)
]]
local p = redis.call('HMGET', KEYS[1], 'id', 'status', 'closesAt', 'json', 'final')
if p[1] ~= ARGV[1] then return { -1, 0, '' } end
if p[2] == 'closed' then return { 0, 0, p[5] or '' } end
local now = tonumber(ARGV[2])
if ARGV[3] ~= '1' and now < tonumber(p[3]) then return { -2, 0, '' } end
local poll = cjson.decode(p[4])
local tallies = {}
local total = 0
for i = 1, #poll.options do
  local n = tonumber(redis.call('HGET', KEYS[2], tostring(i - 1)) or '0')
  tallies[i] = n
  total = total + n
end
poll.tallies = tallies
poll.total = total
poll.status = 'closed'
if now < poll.closesAt then poll.closesAt = now end
local data = cjson.encode(poll)
redis.call('HSET', KEYS[1], 'status', 'closed', 'final', data)
local seq = redis.call('INCR', KEYS[3])
redis.call('XADD', KEYS[4], 'MAXLEN', tonumber(ARGV[4]), seq .. '-0', 't', ARGV[5], 'd', data, 'at', ARGV[2])
return { 1, seq, data }
