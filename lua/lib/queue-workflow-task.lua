--[[
  Adds a workflow-task entry for an execution, marks it queued and announces it to the stream's pollers
  (lib/announce-task). `queued` = 1 promises that an unclaimed entry exists, so it is only ever set
  together with the XADD.
]]
--- @include "lib/announce-task"
local function queue_workflow_task(execution, stream, instance_id, execution_id)
  redis.call('XADD', stream, '*', 'i', instance_id, 'e', execution_id)
  redis.call('HSET', execution, 'queued', 1)
  announce_task(stream)
end
