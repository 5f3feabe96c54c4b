--[[
  Makes sure a workflow task will pick up a new inbox event. Nothing to do when an entry is already
  queued, or when the execution is locked: its holder re-queues it on completion when the inbox is not
  empty, and a dead holder's entry is reclaimed after its lease.
]]
--- @include "lib/queue-workflow-task"

local function wake_workflow(execution, stream, instance_id, execution_id)
  local f = redis.call('HMGET', execution, 'queued', 'lockedUntil')
  if f[1] ~= '1' and (f[2] == false or f[2] == '0') then
    queue_workflow_task(execution, stream, instance_id, execution_id)
  end
end
