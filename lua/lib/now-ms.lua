--[[
  Redis server time in milliseconds: leases compare against one clock, whatever the workers' clocks say.
]]
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
