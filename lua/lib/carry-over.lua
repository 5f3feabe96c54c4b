--[[
  Events addressed to a workflow instance rather than to one execution: signals and cancellation
  requests (mirrors src/history/carry-over.ts). Continue-as-new carries those its execution never
  applied over to the next execution, and one addressed to an execution that has continued as new
  belongs to the instance's active execution. Any other event for an ended execution answers a command
  of that execution and is dropped: its history is closed.
]]

local CARRIED_OVER = { SignalReceived = true, WorkflowExecutionCanceled = true }

-- True when an event of `event_type` addressed to `execution` must go on to the execution that
-- continued it instead.
local function follows_continue_as_new(execution, event_type)
  return CARRIED_OVER[event_type] == true and redis.call('HGET', execution, 'state') == 'continued-as-new'
end
