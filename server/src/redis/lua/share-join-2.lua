--[[
  Attributes a viewer's first join through a share link to the sharer (once per viewer per live).

  KEYS[1] attributed viewers set   KEYS[2] joins-per-sharer hash
  ARGV[1] viewer id   ARGV[2] sharer id

  Returns: 1 attributed now; 0 the viewer was attributed before
]]
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
return 1
