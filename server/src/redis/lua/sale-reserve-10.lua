--[[
  The flash-sale gate: one call decides (or queues) one reserve attempt. Checks the live's bans, the
  idempotency record, the open window, fair admission, the per-user limits and stock, then holds units with a deadline.

  KEYS[1] sale       hash  config + counters: id liveId productId price currency perUser productPerUser
                           opensAt closesAt fairUntil fairDone late initial remaining reserved sold ver admitted
  KEYS[2] fair       zset  requests waiting for the fair pass; member = idem field, score = ticket
  KEYS[3] tickets    hash  userId → fair ticket (one draw per user per sale)
  KEYS[4] saleUsers  hash  userId → units held in this sale (reserved, paying or paid)
  KEYS[5] prodUsers  hash  userId → units held over every sale of the product
  KEYS[6] resv       hash  reservation id → reservation JSON
  KEYS[7] exp        zset  this sale's unpaid reservation ids, score = deadline (ms)
  KEYS[8] idem       hash  "<userId>\n<key>" → request record JSON
  KEYS[9] byUser     hash  userId → space-separated reservation ids
  KEYS[10] bans      set   the live's bans: `u:<userId>`, `d:<deviceId>`
  ARGV[1] mode       'reserve' (a new attempt may be recorded) | 'poll' (only resolve an existing one)
  ARGV[2] now (ms)
  ARGV[3] idem field
  ARGV[4] request hash
  ARGV[5] userId
  ARGV[6] quantity
  ARGV[7] reservation id used if this attempt is admitted
  ARGV[8] fair ticket in [0,1), used on the user's first attempt inside the window
  ARGV[9] hold TTL (ms)
  ARGV[10] fair pass chunk size
  ARGV[11] the caller's ban members: `u:<userId>` and, when the token names a device, ` d:<deviceId>`

  Records (idem hash): {h, c = 0 pending | 1 reserved (b = reservation) | -6 SOLD_OUT | -7 PURCHASE_LIMIT, ...}.
  Returns {code, payload}:
    1  decided (now or earlier): payload = record JSON
    3  pending: payload = when to poll (ms)
   -1  SALE_NOT_FOUND   -2 SALE_NOT_OPEN (payload = opensAt)   -3 SALE_ENDED   -4 IDEMPOTENCY_MISMATCH
   -5  poll of an attempt that was never recorded   -19 BANNED (checked first, replays included)

  Fair admission: attempts before `fairUntil` are queued with the user's ticket; the first call at or after
  `fairUntil` runs the pass, which admits queued attempts in ticket order, chunk by chunk. Attempts that
  arrive while a pass is unfinished queue behind it in arrival order (score 1 + n). Once the queue is empty
  (`fairDone`) every attempt is decided on arrival (first come, first served).
  NOTE: correctness (stock, limits, idempotency) never depends on clocks; skew between nodes only moves
  the window's edges.
]]
for member in string.gmatch(ARGV[11], '%S+') do
  if redis.call('SISMEMBER', KEYS[10], member) == 1 then return {-19, ''} end
end
local now = tonumber(ARGV[2])
local field, hash = ARGV[3], ARGV[4]

local s = redis.call('HMGET', KEYS[1], 'liveId', 'productId', 'price', 'currency', 'perUser', 'productPerUser',
  'opensAt', 'closesAt', 'fairUntil', 'fairDone', 'id', 'remaining')
if not s[1] then return {-1, ''} end
local liveId, productId, price, currency = s[1], s[2], tonumber(s[3]), s[4]
local perUser, productPerUser = tonumber(s[5]), tonumber(s[6])
local opensAt, closesAt, fairUntil = tonumber(s[7]), tonumber(s[8]), tonumber(s[9])
local fairDone = s[10] == '1'
local saleId = s[11]
local ttl, chunk = tonumber(ARGV[9]), tonumber(ARGV[10])
-- Units left, read with the config above and kept in step with every admit below (one read per call).
local stock = tonumber(s[12])

-- Decide one attempt against the limits and the stock; returns the record to store.
local function admit(rec)
  local u, q = rec.u, rec.q
  local held = tonumber(redis.call('HGET', KEYS[4], u) or '0')
  if held + q > perUser then return {h = rec.h, c = -7} end
  if productPerUser > 0 then
    local across = tonumber(redis.call('HGET', KEYS[5], u) or '0')
    if across + q > productPerUser then return {h = rec.h, c = -7} end
  end
  local remaining = stock
  if remaining < q then return {h = rec.h, c = -6} end
  stock = remaining - q
  redis.call('HINCRBY', KEYS[1], 'remaining', -q)
  redis.call('HINCRBY', KEYS[1], 'reserved', q)
  redis.call('HINCRBY', KEYS[1], 'ver', 1)
  local n = redis.call('HINCRBY', KEYS[1], 'admitted', 1)
  redis.call('HINCRBY', KEYS[4], u, q)
  redis.call('HINCRBY', KEYS[5], u, q)
  local r = {
    id = rec.r, liveId = liveId, saleId = saleId, productId = productId,
    userId = u, quantity = q, unitPrice = price, currency = currency, status = 'reserved',
    createdAt = now, expiresAt = now + ttl, admission = n,
  }
  redis.call('HSET', KEYS[6], rec.r, cjson.encode(r))
  redis.call('ZADD', KEYS[7], now + ttl, rec.r)
  local mine = redis.call('HGET', KEYS[9], u)
  redis.call('HSET', KEYS[9], u, mine and (mine .. ' ' .. rec.r) or rec.r)
  return {h = rec.h, c = 1, b = r}
end

-- One chunk of the fair pass; true when the queue is empty (the pass is over).
local function pass()
  local batch = redis.call('ZRANGE', KEYS[2], 0, chunk - 1)
  for _, f in ipairs(batch) do
    local raw = redis.call('HGET', KEYS[8], f)
    if raw then
      local rec = cjson.decode(raw)
      if rec.c == 0 then redis.call('HSET', KEYS[8], f, cjson.encode(admit(rec))) end
    end
    redis.call('ZREM', KEYS[2], f)
  end
  if redis.call('ZCARD', KEYS[2]) == 0 then
    redis.call('HSET', KEYS[1], 'fairDone', '1')
    fairDone = true
    return true
  end
  return false
end

local raw = redis.call('HGET', KEYS[8], field)
if raw then
  local rec = cjson.decode(raw)
  if rec.h ~= hash then return {-4, ''} end
  if rec.c ~= 0 then return {1, raw} end
  if now < fairUntil then return {3, fairUntil} end
  if not fairDone then pass() end
  raw = redis.call('HGET', KEYS[8], field)
  if cjson.decode(raw).c ~= 0 then return {1, raw} end
  return {3, now}
end
if ARGV[1] ~= 'reserve' then return {-5, ''} end
if now >= closesAt then return {-3, ''} end
if now < opensAt then return {-2, opensAt} end

local u, q = ARGV[5], tonumber(ARGV[6])
local pending = {h = hash, c = 0, u = u, q = q, r = ARGV[7]}
if not fairDone then
  local score
  if now < fairUntil then
    score = redis.call('HGET', KEYS[3], u)
    if not score then
      score = ARGV[8]
      redis.call('HSET', KEYS[3], u, score)
    end
  elseif not pass() then
    score = 1 + redis.call('HINCRBY', KEYS[1], 'late', 1)
  end
  if score then
    redis.call('ZADD', KEYS[2], score, field)
    redis.call('HSET', KEYS[8], field, cjson.encode(pending))
    return {3, now < fairUntil and fairUntil or now}
  end
end
local out = cjson.encode(admit(pending))
redis.call('HSET', KEYS[8], field, out)
return {1, out}
