--[[
  Adds one node's summed likes to a room's total and fires every like goal the total crossed, exactly once
  across all nodes: the goal's reached mark and its `goal:reached` room event are written in this script.

  KEYS[1] like total (string)
  KEYS[2] goals zset (goal id, score = threshold)
  KEYS[3] goal data hash (goal id -> JSON {id, threshold, label})
  KEYS[4] reached hash (goal id -> reached at, ms)
  KEYS[5] room seq
  KEYS[6] room log (same contract as room-append-2.lua)
  KEYS[7] flush slot (string with a TTL: one write per room per slot, whichever node takes it)
  KEYS[8] likes per user (zset userId -> taps counted; the growth loop's points and like leaderboard)
  ARGV[1] likes to add (> 0)   ARGV[2] now (ms)   ARGV[3] log max length   ARGV[4] event type ('goal:reached')
  ARGV[5] slot length in ms; 0 = forced (drain on shutdown or on request), no slot taken
  ARGV[6..] pairs userId, taps: how ARGV[1] splits over users (their sum is ARGV[1])

  Returns: { total, { seq1, data1, seq2, data2, ... } } — the goals this call fired (usually none);
           { -1, {} } when another node holds the slot: nothing written, the caller keeps its taps.
  NOTE: the slot bounds a room to one INCRBY per slot across ALL nodes, whatever the node count.
  NOTE: a threshold is crossed by exactly one INCRBY (prev < threshold <= total); HSETNX also guards a goal
  whose threshold was already behind the total.
]]
if tonumber(ARGV[5]) > 0 and not redis.call('SET', KEYS[7], '1', 'NX', 'PX', tonumber(ARGV[5])) then
  return { -1, {} }
end
local prev = tonumber(redis.call('GET', KEYS[1]) or '0')
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
for i = 6, #ARGV - 1, 2 do
  redis.call('ZINCRBY', KEYS[8], ARGV[i + 1], ARGV[i])
end
local fired = {}
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', total)
for _, id in ipairs(ids) do
  if redis.call('HSETNX', KEYS[4], id, ARGV[2]) == 1 then
    local goal = redis.call('HGET', KEYS[3], id) or 'null'
    local data = '{"goal":' .. goal .. ',"total":' .. total .. '}'
    local seq = redis.call('INCR', KEYS[5])
    redis.call('XADD', KEYS[6], 'MAXLEN', tonumber(ARGV[3]), seq .. '-0', 't', ARGV[4], 'd', data, 'at', ARGV[2])
    fired[#fired + 1] = seq
    fired[#fired + 1] = data
  end
end
return { total, fired }
