--[[
  Counts a click on a product: every click, and the clicking viewer once (for the click-through rate).

  KEYS[1] clickers  set   viewers who clicked the product
  KEYS[2] clicks    hash  product id → clicks
  ARGV[1] userId   ARGV[2] product id

  Returns {1 if this viewer's first click else 0, clicks so far}.
]]
local first = redis.call('SADD', KEYS[1], ARGV[1])
return {first, redis.call('HINCRBY', KEYS[2], ARGV[2], 1)}
