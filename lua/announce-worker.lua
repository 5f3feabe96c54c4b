--[[
  announceWorker: stores a live worker's info until its announcement expires (Redis clock), replacing the
  previous one, and drops the announcements that expired meanwhile.

  KEYS[1] workers zset (member worker id, score expiry ms)
  KEYS[2] worker infos hash (worker id -> encoded info)
  ARGV[1] worker id
  ARGV[2] time to live (ms)
  ARGV[3] encoded info
  Returns: the announcement's expiry (ms, Redis clock)
  Errors: none
]]
--- @include "lib/now-ms"
--- @include "lib/prune-workers"

local now = now_ms()
prune_workers(KEYS[1], KEYS[2], now)
local expires_at = now + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], expires_at, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return expires_at
