--[[
  Admits one comment and, when it may be seen, appends it to the room log: every gate and the write in one
  script, so a comment is never half-admitted and two nodes can't both let a user through a limit.

  KEYS[1]  chat settings hash   (slowMs, followersOnly, buyersOnly, kwver)
  KEYS[2]  bans set             ('u:<userId>', 'd:<deviceId>')
  KEYS[3]  mute key of the user (value: muted until, epoch ms; expires with the mute)
  KEYS[4]  shadow set           (user ids)
  KEYS[5]  comment rate key of the user (GCRA theoretical arrival time, ms)
  KEYS[6]  slow-mode key of the user
  KEYS[7]  comments-this-second counter of the room
  KEYS[8]  room seq
  KEYS[9]  room log (stream, entry id '<seq>-0')
  KEYS[10] recent comments zset (member id, score seq)
  KEYS[11] comment data hash (id -> JSON)
  KEYS[12] comment index hash (id -> '<seq>|<authorId>')
  KEYS[13] the user's own-only comments list
  KEYS[14] held comments hash (id -> JSON)
  ARGV[1]  userId            ARGV[2]  deviceId or ''      ARGV[3]  staff (1: host/moderator, exempt) or 0
  ARGV[4]  now (ms)          ARGV[5]  rate interval ms    ARGV[6]  rate burst (comments)
  ARGV[7]  keyword-list version the caller filtered with
  ARGV[8]  follower gate: 1 follower, 0 not, -1 unknown      ARGV[9]  buyer gate: same
  ARGV[10] 'publish' or 'hold'   ARGV[11] comment id   ARGV[12] comment JSON   ARGV[13] event type
  ARGV[14] log max length    ARGV[15] recent comments kept   ARGV[16] own-only comments kept
  ARGV[17] room max comments per second from viewers (0: no cap)

  Returns { code, value }:
    1, seq       published in the room log
    2, 0         shadow-banned: kept for the sender only
    3, 0         held for review
    4, 0         room above capacity: kept for the sender only (viewer comments are sampled)
   -1, 0         banned                     -2, untilMs   muted
   -3, retryMs   rate limited               -4, retryMs   slow mode
   -5, version   keyword lists changed: filter again with this version
   -6, gate      gate unknown (1 followers-only, 2 buyers-only): resolve it and call again
   -7, gate      gate closed (1 followers-only, 2 buyers-only)
  NOTE: limits are consumed only by comments that pass every gate.
]]
local user, dev, staff, now = ARGV[1], ARGV[2], ARGV[3] == '1', tonumber(ARGV[4])

if redis.call('SISMEMBER', KEYS[2], 'u:' .. user) == 1 then return { -1, 0 } end
if dev ~= '' and redis.call('SISMEMBER', KEYS[2], 'd:' .. dev) == 1 then return { -1, 0 } end
local mutedUntil = tonumber(redis.call('GET', KEYS[3]) or '0')
if mutedUntil > now then return { -2, mutedUntil } end

local s = redis.call('HMGET', KEYS[1], 'slowMs', 'followersOnly', 'buyersOnly', 'kwver')
local kwver = s[4] or '0'
if kwver ~= ARGV[7] then return { -5, tonumber(kwver) } end

local tat = 0
local interval = tonumber(ARGV[5])
if not staff then
  if s[2] == '1' then
    if ARGV[8] == '-1' then return { -6, 1 } end
    if ARGV[8] ~= '1' then return { -7, 1 } end
  end
  if s[3] == '1' then
    if ARGV[9] == '-1' then return { -6, 2 } end
    if ARGV[9] ~= '1' then return { -7, 2 } end
  end
  local slowMs = tonumber(s[1] or '0')
  if slowMs > 0 then
    local left = redis.call('PTTL', KEYS[6])
    if left > 0 then return { -4, left } end
  end
  -- GCRA: at most `burst` comments at once, then one per `interval`.
  tat = math.max(tonumber(redis.call('GET', KEYS[5]) or '0'), now)
  local burst = tonumber(ARGV[6])
  local newTat = tat + interval
  if newTat - now > burst * interval then return { -3, newTat - now - burst * interval } end
  tat = newTat
  if slowMs > 0 then redis.call('SET', KEYS[6], '1', 'PX', slowMs) end
  redis.call('SET', KEYS[5], tat, 'PX', math.max(1, tat - now))
end

local id, json = ARGV[11], ARGV[12]
local function keepOwn(code)
  redis.call('LPUSH', KEYS[13], json)
  redis.call('LTRIM', KEYS[13], 0, tonumber(ARGV[16]) - 1)
  return { code, 0 }
end

if redis.call('SISMEMBER', KEYS[4], user) == 1 then return keepOwn(2) end
if ARGV[10] == 'hold' then
  redis.call('HSET', KEYS[14], id, json)
  return { 3, 0 }
end
local cap = tonumber(ARGV[17])
if not staff and cap > 0 then
  local n = redis.call('INCR', KEYS[7])
  if n == 1 then redis.call('EXPIRE', KEYS[7], 2) end
  if n > cap then return keepOwn(4) end
end

-- Same contract as room-append-2.lua.
local seq = redis.call('INCR', KEYS[8])
redis.call('XADD', KEYS[9], 'MAXLEN', tonumber(ARGV[14]), seq .. '-0', 't', ARGV[13], 'd', json, 'at', ARGV[4])
redis.call('ZADD', KEYS[10], seq, id)
redis.call('HSET', KEYS[11], id, json)
redis.call('HSET', KEYS[12], id, seq .. '|' .. user)
local over = redis.call('ZCARD', KEYS[10]) - tonumber(ARGV[15])
if over > 0 then
  local popped = redis.call('ZPOPMIN', KEYS[10], over)
  for i = 1, #popped, 2 do redis.call('HDEL', KEYS[11], popped[i]) end
end
return { 1, seq }
