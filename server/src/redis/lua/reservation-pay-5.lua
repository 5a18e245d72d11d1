--[[
  Starts paying a reservation: reserved → paying, with an idempotency record and (optionally) one of the
  caller's claimed coupons set aside for it. The amounts are computed by the caller from immutable data
  (the reservation's price and the coupon's definition); this script guards the state.

  KEYS[1] resv        hash  reservation id → reservation JSON
  KEYS[2] exp         zset  the sale's unpaid reservation ids, score = deadline (ms)
  KEYS[3] idem        hash  "<userId>\n<key>" → request record JSON
  KEYS[4] claims      hash  "<couponId>:<userId>" → coupons of that kind the user claimed
  KEYS[5] couponUses  hash  "<couponId>:<userId>:<n>" → reservation id holding claim n
  ARGV[1] now (ms)      ARGV[2] idem field     ARGV[3] request hash    ARGV[4] reservation id
  ARGV[5] userId        ARGV[6] payment id     ARGV[7] coupon id or '' ARGV[8] payment deadline (ms)
  ARGV[9] subtotal      ARGV[10] discount      ARGV[11] total          ARGV[12] Idempotency-Key

  Returns {1, record JSON} (new, or the replay of the same request: {h, c = 1, b = payment started}),
  or {code, ''}: -4 IDEMPOTENCY_MISMATCH  -8 RESERVATION_NOT_FOUND (or not the caller's)
  -9 RESERVATION_EXPIRED  -10 PAYMENT_IN_PROGRESS  -11 ALREADY_PAID  -12 COUPON_NOT_CLAIMED (none free)
  NOTE: refusals are not recorded: they describe the reservation's state, which the next attempt re-reads.
]]
local now, field, hash, id, u = tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV[4], ARGV[5]

local prior = redis.call('HGET', KEYS[3], field)
if prior then
  if cjson.decode(prior).h ~= hash then return {-4, ''} end
  return {1, prior}
end

local raw = redis.call('HGET', KEYS[1], id)
if not raw then return {-8, ''} end
local r = cjson.decode(raw)
if r.userId ~= u then return {-8, ''} end
if r.status == 'paying' then return {-10, ''} end
if r.status == 'paid' then return {-11, ''} end
if r.status ~= 'reserved' or now >= r.expiresAt then return {-9, ''} end

local couponId = ARGV[7]
if couponId ~= '' then
  local have = tonumber(redis.call('HGET', KEYS[4], couponId .. ':' .. u) or '0')
  local free
  for n = 1, have do
    if redis.call('HEXISTS', KEYS[5], couponId .. ':' .. u .. ':' .. n) == 0 then
      free = n
      break
    end
  end
  if not free then return {-12, ''} end
  redis.call('HSET', KEYS[5], couponId .. ':' .. u .. ':' .. free, id)
  r.couponId = couponId
  r.couponClaim = free
end

local deadline = tonumber(ARGV[8])
r.status = 'paying'
r.paymentId = ARGV[6]
r.payKey = ARGV[12]
r.subtotal = tonumber(ARGV[9])
r.discount = tonumber(ARGV[10])
r.total = tonumber(ARGV[11])
r.payDeadline = deadline
redis.call('HSET', KEYS[1], id, cjson.encode(r))
redis.call('ZADD', KEYS[2], deadline, id)

local started = {
  reservationId = id, paymentId = r.paymentId, status = 'pending', subtotal = r.subtotal,
  discount = r.discount, total = r.total, currency = r.currency, couponId = couponId,
}
local rec = cjson.encode({h = hash, c = 1, b = started})
redis.call('HSET', KEYS[3], field, rec)
return {1, rec}
