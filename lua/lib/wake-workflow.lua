--[[
  Makes sure a workflow task will pick up a new inbox event. Nothing to do when an entry is already
  queued, when the execution is locked (its holder re-queues it on completion when the inbox is not
  empty, and a dead holder's entry is reclaimed after its lease), or while a hold keeps its task back
  (`held` = 1: its retry timer, or an operator, queues it; see hold-workflow-task.lua).
]]
--- @include "lib/queue-workflow-task"

-- True when no entry is queued for the execution, nobody holds it and no hold keeps it back: a new
-- event must queue one.
local function is_idle(queued, locked_until, held)
  return queued ~= '1' and (locked_until == false or locked_until == '0') and held ~= '1'
end

local function wake_workflow(execution, stream, instance_id, execution_id)
  local f = redis.call('HMGET', execution, 'queued', 'lockedUntil', 'held')
  if is_idle(f[1], f[2], f[3]) then
    queue_workflow_task(execution, stream, instance_id, execution_id)
  end
end
