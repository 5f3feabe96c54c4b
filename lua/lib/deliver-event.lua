--[[
  Appends an event to an active execution's inbox and wakes the execution. Returns false (and writes
  nothing) when the execution is missing or has ended: late results are dropped.
]]
--- @include "lib/wake-workflow"

local function deliver_event(execution, inbox, stream, instance_id, execution_id, blob)
  if redis.call('HGET', execution, 'state') ~= 'active' then
    return false
  end
  redis.call('XADD', inbox, '*', 'e', blob)
  wake_workflow(execution, stream, instance_id, execution_id)
  return true
end
