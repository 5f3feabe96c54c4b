--[[
  Partition ownership: one round of a backend that runs background loops. Renews its membership and its
  partition leases, and moves it towards its fair share, ceil(partitions / live members), in one step, so
  every member sees the same table and the shares always add up. A member above its share gives up its
  highest partitions; one below it takes free partitions (never owned, released, or whose lease ran out:
  their owner stopped renewing), lowest first. A member never takes a partition another one still holds:
  that one gives it up on its own next round, and it is free then.

  KEYS[1] members zset (score: membership expiry, ms, Redis clock; member: backend name)
  KEYS[2] owners hash (partition -> "<lease expiry ms> <backend name>")
  ARGV[1] the caller's name
  ARGV[2] lease (ms): of the membership and of each partition held
  ARGV[3] partition count
  Returns: the partitions the caller holds now (ascending), each until ARGV[2] ms from now
  Errors: none
]]
--- @include "lib/now-ms"

local me = ARGV[1]
local lease_ms = tonumber(ARGV[2])
local partitions = tonumber(ARGV[3])
local now = now_ms()
local expiry = now + lease_ms

redis.call('ZADD', KEYS[1], expiry, me)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local share = math.ceil(partitions / redis.call('ZCARD', KEYS[1]))

local mine, free = {}, {}
local table_now = redis.call('HGETALL', KEYS[2])
local held = {}
for i = 1, #table_now, 2 do
  local until_ms, owner = string.match(table_now[i + 1], '^(%d+) (.*)$')
  held[tonumber(table_now[i])] = { tonumber(until_ms or 0), owner }
end
for p = 0, partitions - 1 do
  local h = held[p]
  if h == nil or h[1] <= now then
    free[#free + 1] = p
  elseif h[2] == me then
    mine[#mine + 1] = p
  end
end

while #mine > share do
  redis.call('HDEL', KEYS[2], mine[#mine])
  mine[#mine] = nil
end
local next_free = 1
while #mine < share and next_free <= #free do
  mine[#mine + 1] = free[next_free]
  next_free = next_free + 1
end
table.sort(mine)
local value = expiry .. ' ' .. me
for _, p in ipairs(mine) do
  redis.call('HSET', KEYS[2], p, value)
end
return mine
