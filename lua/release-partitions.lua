--[[
  Partition ownership: a closing backend leaves the members and gives up every partition it holds, so the
  others take them over at their next round instead of after the leases ran out. Partitions another member
  holds by now are left alone.

  KEYS[1] members zset
  KEYS[2] owners hash (partition -> "<lease expiry ms> <backend name>")
  ARGV[1] the caller's name
  Returns: the number of partitions given up
  Errors: none
]]

redis.call('ZREM', KEYS[1], ARGV[1])
local released = 0
local owners = redis.call('HGETALL', KEYS[2])
for i = 1, #owners, 2 do
  local _, holder = string.match(owners[i + 1], '^(%d+) (.*)$')
  if holder == ARGV[1] then
    redis.call('HDEL', KEYS[2], owners[i])
    released = released + 1
  end
end
return released
