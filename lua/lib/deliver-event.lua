--[[
  Appends an event to an active execution's inbox and wakes the execution. Returns false (and writes
  nothing) when the execution is missing or has ended: late results are dropped.
]]
--- @include "lib/inbox"
--- @include "lib/wake-workflow"

local function deliver_event(execution, inbox, stream, instance_id, execution_id, blob, event_type)
  if redis.call('HGET', execution, 'state') ~= 'active' then
    return false
  end
  push_inbox(inbox, event_type, blob)
  wake_workflow(execution, stream, instance_id, execution_id)
  return true
end
