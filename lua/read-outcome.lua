--[[
  getWorkflowResult and the waits for an execution: its state and, once it has ended, its last event (its
  outcome), read together so that one call tells whether and how it ended.

  KEYS[1] execution hash
  KEYS[2] execution history list
  ARGV: none
  Returns: false when the execution hash does not exist; else { state, historyLength, last event }, the last
    event false while the execution is active (and when its history is empty)
  Errors: none
]]

local f = redis.call('HMGET', KEYS[1], 'state', 'historyLength')
if not f[1] then
  return false
end
local last = false
if f[1] ~= 'active' then
  last = redis.call('LINDEX', KEYS[2], -1)
end
return { f[1], f[2] or '0', last }
