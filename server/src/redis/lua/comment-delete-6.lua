--[[
  Deletes a published comment: redacts its log entry for every later read (snapshot, replay), removes it
  from the recent comments, and appends a `comment:deleted` event so connected viewers remove it too.

  KEYS[1] comment index hash (id -> '<seq>|<authorId>')
  KEYS[2] recent comments zset
  KEYS[3] comment data hash
  KEYS[4] redacted hash (seq -> tombstone data JSON)
  KEYS[5] room seq
  KEYS[6] room log
  ARGV[1] comment id   ARGV[2] actor id   ARGV[3] actor name   ARGV[4] now (ms)
  ARGV[5] event type ('comment:deleted')   ARGV[6] log max length

  Returns: { 1, newSeq, commentSeq, authorId } deleted now
           { 0, 0, commentSeq, authorId }      already deleted (idempotent)
           { -1, 0, 0, '' }                    no such published comment
]]
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if not entry then return { -1, 0, 0, '' } end
local cseq, author = string.match(entry, '^(%d+)|(.*)$')
if redis.call('HEXISTS', KEYS[4], cseq) == 1 then return { 0, 0, tonumber(cseq), author } end
redis.call('HSET', KEYS[4], cseq, cjson.encode({ id = ARGV[1], deleted = true }))
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
local data = cjson.encode({ id = ARGV[1], seq = tonumber(cseq), by = { id = ARGV[2], name = ARGV[3] } })
local seq = redis.call('INCR', KEYS[5])
redis.call('XADD', KEYS[6], 'MAXLEN', tonumber(ARGV[6]), seq .. '-0', 't', ARGV[5], 'd', data, 'at', ARGV[4])
return { 1, seq, tonumber(cseq), author }
