--[[
  True when `token` is the execution's current fencing token and the lock is still held. A lock that
  was released or completed has lockedUntil = 0, so a second completion with the same token fails.
]]
local function holds_lease(execution, token)
  local f = redis.call('HMGET', execution, 'lockToken', 'lockedUntil')
  return f[1] == token and f[2] ~= false and f[2] ~= '0'
end
