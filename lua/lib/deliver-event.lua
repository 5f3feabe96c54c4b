--[[
  Appends an event to an active execution's inbox and wakes the execution. Returns false (and writes
  nothing) when the execution is missing or has ended: late results are dropped. The event type is
  stored next to the blob (field `t`) because Lua cannot look inside the blob, and continue-as-new must
  pick the signals and cancellation requests out of an inbox.
]]
--- @include "lib/wake-workflow"

local function deliver_event(execution, inbox, stream, instance_id, execution_id, blob, event_type)
  if redis.call('HGET', execution, 'state') ~= 'active' then
    return false
  end
  redis.call('XADD', inbox, '*', 'e', blob, 't', event_type)
  wake_workflow(execution, stream, instance_id, execution_id)
  return true
end
