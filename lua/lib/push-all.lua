--[[
  RPUSH of ARGV[first .. first+count-1] in chunks: unpack() of thousands of values overflows Lua's stack.
]]
local function push_all(key, first, count)
  local chunk = 1000
  local i = 0
  while i < count do
    local n = math.min(chunk, count - i)
    redis.call('RPUSH', key, unpack(ARGV, first + i, first + i + n - 1))
    i = i + n
  end
end
