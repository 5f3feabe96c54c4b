--[[
  Runs `command` on `key` with values[first .. last] as arguments, in chunks: unpack() of thousands of
  values overflows Lua's stack. The chunk size is even, so that no chunk of an HSET splits a field from
  its value.
]]
local CALL_CHUNK = 1000

local function call_chunked(command, key, values, first, last)
  for from = first, last, CALL_CHUNK do
    redis.call(command, key, unpack(values, from, math.min(from + CALL_CHUNK - 1, last)))
  end
end
