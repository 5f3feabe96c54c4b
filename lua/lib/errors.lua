--[[
  Error codes a script replies with. The code is the first word of the error message, as in Redis's own
  NOSCRIPT or WRONGTYPE, so the caller can tell them apart without parsing the rest.
  Mirrored by SCRIPT_ERROR_CODES in src/backend/redis/script-errors.ts (a test keeps the two equal).
]]
local ERR = {
  INSTANCE_EXISTS = 'INSTANCE_EXISTS',
  LEASE_LOST = 'LEASE_LOST',
  HISTORY_CONFLICT = 'HISTORY_CONFLICT',
}

-- Returned (never raised): a raised error would reach the client wrapped in script position details.
local function fail(code, detail)
  return redis.error_reply(code .. ' ' .. detail)
end
