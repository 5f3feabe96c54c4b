--[[
  releaseWorkflowTask: gives a claimed workflow task back unprocessed. The lock is dropped and, while
  the execution is active with events waiting, a fresh entry is queued for any worker to take at once.

  KEYS[1] execution hash
  KEYS[2] inbox list
  KEYS[3] workflow-task stream
  ARGV[1] lock token
  ARGV[2] workflow-task entry id
  ARGV[3] consumer group
  ARGV[4] instance id
  ARGV[5] execution id
  Returns: 1
  Errors: LEASE_LOST <execution id> when the token is not the current one or the lock was released
]]
--- @include "lib/errors"
--- @include "lib/ack-entry"
--- @include "lib/holds-lease"
--- @include "lib/queue-workflow-task"

local execution, inbox, stream = KEYS[1], KEYS[2], KEYS[3]
if not holds_lease(execution, ARGV[1]) then
  return fail(ERR.LEASE_LOST, ARGV[5])
end
redis.call('HSET', execution, 'lockedUntil', 0, 'lockEntry', '')
ack_entry(stream, ARGV[3], ARGV[2])
local f = redis.call('HMGET', execution, 'state', 'queued')
if f[1] == 'active' and f[2] ~= '1' and redis.call('EXISTS', inbox) == 1 then
  queue_workflow_task(execution, stream, ARGV[4], ARGV[5])
end
return 1
