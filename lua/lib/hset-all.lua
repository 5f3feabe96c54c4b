--[[
  HSET of a flat list of fields and values, in chunks: unpack() of thousands of values overflows Lua's stack.
]]
local function hset_all(key, fields)
  -- Even, so that no chunk splits a field from its value.
  local chunk = 1000
  for first = 1, #fields, chunk do
    redis.call('HSET', key, unpack(fields, first, math.min(first + chunk - 1, #fields)))
  end
end
