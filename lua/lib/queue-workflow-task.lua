--[[
  Adds a workflow-task entry for an execution and marks it queued. `queued` = 1 promises that an
  unclaimed entry exists, so it is only ever set together with the XADD.
]]
local function queue_workflow_task(execution, stream, instance_id, execution_id)
  redis.call('XADD', stream, '*', 'i', instance_id, 'e', execution_id)
  redis.call('HSET', execution, 'queued', 1)
end
