--[[
  Crisis alert: adds one node's comment counts of a live to a rolling window and decides, across all nodes,
  whether a negative-comment episode starts now (exactly once per episode).

  KEYS[1] window hash: `t:<bucket>` comments, `n:<bucket>` negative (lexicon, held or blocked) per bucket
  KEYS[2] episode marker (string; exists while the negative ratio stays over the threshold)
  KEYS[3] recent negative samples (list, newest first, capped at 5)
  ARGV[1] now (ms)   ARGV[2] bucket length (ms)   ARGV[3] window length (ms)
  ARGV[4] comments to add   ARGV[5] negative comments to add
  ARGV[6] ratio threshold (0..1)   ARGV[7] minimum negative comments in the window
  ARGV[8..] negative sample texts (oldest first)

  Returns: { raised, negative, total, sample1, sample2, ... }
    raised = 1: an episode started with this call (the caller alerts; no other call returns 1 until it ends)
    raised = 0: no episode, or one already running.
  NOTE: the episode ends when a call sees the window back under the threshold (marker deleted); the marker
  also expires after one window without calls, so a quiet room ends its episode.
]]
local now = tonumber(ARGV[1])
local bucketMs = tonumber(ARGV[2])
local windowMs = tonumber(ARGV[3])
local bucket = math.floor(now / bucketMs)
local oldest = bucket - math.floor(windowMs / bucketMs) + 1
if tonumber(ARGV[4]) > 0 then redis.call('HINCRBY', KEYS[1], 't:' .. bucket, ARGV[4]) end
if tonumber(ARGV[5]) > 0 then redis.call('HINCRBY', KEYS[1], 'n:' .. bucket, ARGV[5]) end
redis.call('PEXPIRE', KEYS[1], windowMs * 2)
for i = 8, #ARGV do
  redis.call('LPUSH', KEYS[3], ARGV[i])
end
redis.call('LTRIM', KEYS[3], 0, 4)
redis.call('PEXPIRE', KEYS[3], windowMs * 2)
local total, negative = 0, 0
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local kind, b = string.match(all[i], '^(%a):(%d+)$')
  b = tonumber(b)
  if b < oldest then
    redis.call('HDEL', KEYS[1], all[i])
  elseif kind == 't' then
    total = total + tonumber(all[i + 1])
  else
    negative = negative + tonumber(all[i + 1])
  end
end
local over = negative >= tonumber(ARGV[7]) and total > 0 and negative >= tonumber(ARGV[6]) * total
local out = { 0, negative, total }
if over then
  if redis.call('SET', KEYS[2], now, 'NX', 'PX', windowMs) then
    out[1] = 1
    local samples = redis.call('LRANGE', KEYS[3], 0, 4)
    for i = 1, #samples do out[#out + 1] = samples[i] end
  else
    redis.call('PEXPIRE', KEYS[2], windowMs)
  end
else
  redis.call('DEL', KEYS[2])
end
return out
