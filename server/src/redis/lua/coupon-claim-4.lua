--[[
  Claims one coupon for a user: exact total quota and per-user limit under any concurrency.

  KEYS[1] coupons   hash  coupon id → definition JSON {quota, perUserLimit, likeGoalId?}
  KEYS[2] claims    hash  "<couponId>" → claimed in total, "<couponId>:<userId>" → the user's claims
  KEYS[3] reached   hash  like goal id → reached at (the interaction feature's like goals)
  KEYS[4] commerce  hash  `ended` once the live is over
  ARGV[1] coupon id   ARGV[2] userId

  Returns {claim number of the user (1..perUserLimit), claimed in total} or {code}:
  -14 COUPON_NOT_FOUND  -15 LIVE_ENDED  -16 COUPON_LOCKED  -17 COUPON_EXHAUSTED  -18 COUPON_LIMIT
]]
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return {-14} end
if redis.call('HEXISTS', KEYS[4], 'ended') == 1 then return {-15} end
local def = cjson.decode(raw)
if def.likeGoalId and redis.call('HEXISTS', KEYS[3], def.likeGoalId) == 0 then return {-16} end
local total = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if total >= def.quota then return {-17} end
local mineField = ARGV[1] .. ':' .. ARGV[2]
local mine = tonumber(redis.call('HGET', KEYS[2], mineField) or '0')
if mine >= def.perUserLimit then return {-18} end
redis.call('HINCRBY', KEYS[2], mineField, 1)
return {mine + 1, redis.call('HINCRBY', KEYS[2], ARGV[1], 1)}
