--[[
  Drops the worker announcements that expired by `now` (ms): their members of the workers zset (scored by
  expiry) and their infos. A worker killed without withdrawing leaves only entries this removes.
]]
--- @include "lib/call-chunked"
local function prune_workers(workers, infos, now)
  local expired = redis.call('ZRANGEBYSCORE', workers, '-inf', now)
  if #expired == 0 then
    return
  end
  call_chunked('HDEL', infos, expired, 1, #expired)
  redis.call('ZREMRANGEBYSCORE', workers, '-inf', now)
end
