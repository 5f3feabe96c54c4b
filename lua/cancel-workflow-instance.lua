--[[
  cancelWorkflowInstance: appends a WorkflowExecutionCanceled event to one execution's inbox and wakes
  it, if that execution is still active. The caller decides which execution (the one asked for, or the
  instance's active one when that continued as new) and asks again when this one has just ended.

  KEYS[1] execution hash
  KEYS[2] inbox list
  KEYS[3] workflow-task stream of the execution's queue
  ARGV[1] instance id
  ARGV[2] execution id
  ARGV[3] WorkflowExecutionCanceled event blob
  Returns: 1 when delivered; 0 when the execution is missing or no longer active (nothing written)
  Errors: none
]]
--- @include "lib/deliver-event"

if deliver_event(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], 'WorkflowExecutionCanceled') then
  return 1
end
return 0
