--[[
  Counts one join through an invite link for its sharer, at most once per invitee and per device in the live,
  never the sharer themself or the sharer's device; at the goal, grants the sharer one claim of the reward
  coupon, once (the claim is numbered like coupon-claim-4.lua's, so paying with it works the same way).

  KEYS[1] campaign  hash  goal, couponId
  KEYS[2] users     set   invitees counted (one sharer each)
  KEYS[3] devices   set   invitee devices counted
  KEYS[4] progress  hash  sharerId → invitees counted
  KEYS[5] rewarded  hash  sharerId → the coupon claim number granted
  KEYS[6] claims    hash  `<cid>` → claimed, `<cid>:<userId>` → that user's claims (coupons)
  KEYS[7] coupons   hash  coupon id → definition JSON
  ARGV[1] invitee id   ARGV[2] invitee device ('' = none)   ARGV[3] sharer id   ARGV[4] sharer device ('' = none)

  Returns {code, count, claimNo}: 1 counted (claimNo > 0 when this join granted the reward, else 0);
  0 not counted (no campaign, self, the sharer's device, user or device already counted): count = the
  sharer's progress.
]]
local invitee, dev, sharer, sharerDev = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local c = redis.call('HMGET', KEYS[1], 'goal', 'couponId')
local count = tonumber(redis.call('HGET', KEYS[4], sharer) or '0')
if not c[1] or invitee == sharer then return {0, count, 0} end
if dev ~= '' and dev == sharerDev then return {0, count, 0} end
if redis.call('SISMEMBER', KEYS[2], invitee) == 1 then return {0, count, 0} end
if dev ~= '' and redis.call('SISMEMBER', KEYS[3], dev) == 1 then return {0, count, 0} end
redis.call('SADD', KEYS[2], invitee)
if dev ~= '' then redis.call('SADD', KEYS[3], dev) end
count = redis.call('HINCRBY', KEYS[4], sharer, 1)
local claimNo = 0
if count >= tonumber(c[1]) and redis.call('HEXISTS', KEYS[5], sharer) == 0
  and redis.call('HEXISTS', KEYS[7], c[2]) == 1 then
  claimNo = redis.call('HINCRBY', KEYS[6], c[2] .. ':' .. sharer, 1)
  redis.call('HINCRBY', KEYS[6], c[2], 1)
  redis.call('HSET', KEYS[5], sharer, claimNo)
end
return {1, count, claimNo}
