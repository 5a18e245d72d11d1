--[[
  Applies a payment outcome reported by the provider to a reservation.
  succeeded: paying (this payment) → paid: reserved units become sold, the user becomes a buyer.
  failed:    paying (this payment) → reserved again until its original deadline; the coupon claim is freed.

  KEYS[1] resv        hash  reservation id → reservation JSON
  KEYS[2] sale        hash  counters reserved / sold / ver
  KEYS[3] exp         zset  the sale's unpaid reservation ids, score = deadline (ms)
  KEYS[4] couponUses  hash  "<couponId>:<userId>:<n>" → reservation id holding claim n
  KEYS[5] buyers      set   users with a paid reservation in the live
  ARGV[1] reservation id   ARGV[2] payment id   ARGV[3] 'succeeded' | 'failed'   ARGV[4] now (ms)

  Returns {code, reservation JSON}:
    1 paid now   2 already paid by this payment (a repeated webhook)   3 failure applied (back to reserved)
    4 failure ignored (the reservation is not paying with this payment)
   -8 RESERVATION_NOT_FOUND
   -9 the hold expired before the payment succeeded (the caller refunds it)
  -13 the reservation was paid by another payment (the caller refunds this one)
  NOTE: a success for a paying reservation whose deadline passed but that no sweeper released yet is
  accepted: the state, not the clock, decides, so a payment is either kept or refunded, never lost.
]]
local id, paymentId, outcome, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local raw = redis.call('HGET', KEYS[1], id)
if not raw then return {-8, ''} end
local r = cjson.decode(raw)
local mine = r.paymentId == paymentId

if outcome == 'succeeded' then
  if r.status == 'paid' then return {mine and 2 or -13, raw} end
  if r.status ~= 'paying' then return {-9, raw} end
  if not mine then return {-13, raw} end
  r.status = 'paid'
  r.paidAt = now
  raw = cjson.encode(r)
  redis.call('HSET', KEYS[1], id, raw)
  redis.call('ZREM', KEYS[3], id)
  redis.call('HINCRBY', KEYS[2], 'reserved', -r.quantity)
  redis.call('HINCRBY', KEYS[2], 'sold', r.quantity)
  redis.call('HINCRBY', KEYS[2], 'ver', 1)
  redis.call('SADD', KEYS[5], r.userId)
  return {1, raw}
end

if r.status ~= 'paying' or not mine then return {4, raw} end
if r.couponId then redis.call('HDEL', KEYS[4], r.couponId .. ':' .. r.userId .. ':' .. r.couponClaim) end
r.status = 'reserved'
r.couponId = nil
r.couponClaim = nil
r.paymentId = nil
r.payKey = nil
r.subtotal = nil
r.discount = nil
r.total = nil
r.payDeadline = nil
r.lastFailedPayment = paymentId
raw = cjson.encode(r)
redis.call('HSET', KEYS[1], id, raw)
redis.call('ZADD', KEYS[3], r.expiresAt, id)
return {3, raw}
