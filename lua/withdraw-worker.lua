--[[
  withdrawWorker: removes a worker's announcement at once (a stopping worker), however long it had to live.

  KEYS[1] workers zset
  KEYS[2] worker infos hash
  ARGV[1] worker id
  Returns: 1 when the worker was announced, 0 otherwise
  Errors: none
]]

redis.call('HDEL', KEYS[2], ARGV[1])
return redis.call('ZREM', KEYS[1], ARGV[1])
