--[[
  createWorkflowInstance: creates an execution, puts its WorkflowExecutionStarted event in its inbox and
  queues its first workflow task. Writes nothing when it is rejected.

  KEYS[1] instance hash
  KEYS[2] execution hash
  KEYS[3] inbox list
  KEYS[4] workflow-task stream of the execution's queue
  KEYS[5] instances index zset
  KEYS[6] active executions set
  KEYS[7] workflow queues set
  ARGV[1] instance id
  ARGV[2] execution id
  ARGV[3] workflow name
  ARGV[4] queue
  ARGV[5] createdAt (ms)
  ARGV[6] WorkflowExecutionStarted event blob
  Returns: 1
  Errors: INSTANCE_EXISTS <instance id> when the instance's latest execution is active, or this
          execution id was used before
]]
--- @include "lib/errors"
--- @include "lib/create-execution"

if redis.call('HGET', KEYS[1], 'state') == 'active' or redis.call('EXISTS', KEYS[2]) == 1 then
  return fail(ERR.INSTANCE_EXISTS, ARGV[1])
end

create_execution(
  { instance = KEYS[1], execution = KEYS[2], inbox = KEYS[3], stream = KEYS[4], instances = KEYS[5],
    active = KEYS[6], workflow_queues = KEYS[7] },
  { instance_id = ARGV[1], execution_id = ARGV[2], name = ARGV[3], queue = ARGV[4], created_at = ARGV[5],
    started = ARGV[6] })
return 1
