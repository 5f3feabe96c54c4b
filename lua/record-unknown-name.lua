--[[
  recordUnknownName: a worker claimed a task whose workflow or activity name it has not registered; records
  the name as seen now (Redis clock) and drops the names not seen within the retention.

  KEYS[1] unknown names zset (member JSON [kind, queue, name], score last seen ms)
  ARGV[1] member
  ARGV[2] retention (ms)
  Returns: the time recorded (ms, Redis clock)
  Errors: none
]]
--- @include "lib/now-ms"

local now = now_ms()
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('ZADD', KEYS[1], now, ARGV[1])
return now
