--[[
  retryHeldWorkflowInstance: an operator runs a held execution's task again now, parked or backing off.
  The hold is cleared (a later hold starts a new run at attempt 1), its retry timer removed, and the
  task queued when the execution is active with events waiting.

  KEYS[1] execution hash
  KEYS[2] inbox list
  KEYS[3] workflow-task stream
  KEYS[4] timers zset
  KEYS[5] the execution's set of pending timers
  KEYS[6] held index zset
  ARGV[1] instance id
  ARGV[2] execution id
  ARGV[3] the execution's index member (`<iid>\n<eid>`)
  ARGV[4] the timers member of its retry
  Returns: 1 when it was held (and is retried), 0 when it is not held (nothing changed), -1 when the
           execution does not exist
  Errors: none
]]
--- @include "lib/clear-hold"
--- @include "lib/wake-workflow"

local execution, inbox, stream = KEYS[1], KEYS[2], KEYS[3]
local f = redis.call('HMGET', execution, 'state', 'holdReason')
if f[1] == false then
  return -1
end
if f[2] == false then
  return 0
end
clear_hold(execution, KEYS[6], ARGV[3])
redis.call('ZREM', KEYS[4], ARGV[4])
redis.call('SREM', KEYS[5], ARGV[4])
if f[1] == 'active' and redis.call('EXISTS', inbox) == 1 then
  wake_workflow(execution, stream, ARGV[1], ARGV[2])
end
return 1
