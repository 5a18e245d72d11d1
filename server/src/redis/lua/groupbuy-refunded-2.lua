--[[
  Marks one member's refund of an expired group done (the ledger recorded it and the provider refunded it):
  the member's refund `pending` → `done`, the reservation `refunding` → `refunded`. Idempotent.

  KEYS[1] members  hash  userId → JSON {r, name, via, at, refund}
  KEYS[2] resv     hash  reservation id → reservation JSON
  ARGV[1] userId   ARGV[2] now (ms)

  Returns 1 when this call marked it, 0 when it was already done (or never pending).
]]
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local m = cjson.decode(raw)
if m.refund ~= 'pending' then return 0 end
m.refund = 'done'
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(m))
local rr = redis.call('HGET', KEYS[2], m.r)
if rr then
  local r = cjson.decode(rr)
  r.status = 'refunded'
  r.refundedAt = tonumber(ARGV[2])
  redis.call('HSET', KEYS[2], m.r, cjson.encode(r))
end
return 1
