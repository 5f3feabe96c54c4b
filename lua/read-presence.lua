--[[
  listWorkers and getStats: the infos of the workers whose announcement has not expired and the unknown names
  seen within the retention, by one clock (Redis's); drops the expired entries on the way.

  KEYS[1] workers zset
  KEYS[2] worker infos hash
  KEYS[3] unknown names zset
  ARGV[1] retention of unknown names (ms)
  ARGV[2] 1 to read the unknown names too, 0 for the workers only
  Returns: { infos, names }: infos a list of encoded infos (an id whose info is missing is skipped), names a flat
    list of member, last seen (ms) pairs (empty when not asked for)
  Errors: none
]]
--- @include "lib/now-ms"
--- @include "lib/prune-workers"

local now = now_ms()
prune_workers(KEYS[1], KEYS[2], now)
local infos = {}
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
-- In chunks: unpack() of thousands of ids overflows Lua's stack.
for from = 1, #ids, 1000 do
  local chunk = redis.call('HMGET', KEYS[2], unpack(ids, from, math.min(from + 999, #ids)))
  for i = 1, #chunk do
    if chunk[i] then
      infos[#infos + 1] = chunk[i]
    end
  end
end
local names = {}
if ARGV[2] == '1' then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[1]))
  names = redis.call('ZRANGE', KEYS[3], 0, -1, 'WITHSCORES')
end
return { infos, names }
