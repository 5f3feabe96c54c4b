--[[
  createWorkflowInstance: creates an execution, puts its WorkflowExecutionStarted event in its inbox and
  queues its first workflow task. Writes nothing when it is rejected.

  KEYS[1] instance hash
  KEYS[2] execution hash
  KEYS[3] inbox stream
  KEYS[4] workflow-task stream of the execution's queue
  KEYS[5] instances index zset
  ARGV[1] instance id
  ARGV[2] execution id
  ARGV[3] workflow name
  ARGV[4] queue
  ARGV[5] createdAt (ms)
  ARGV[6] WorkflowExecutionStarted event blob
  ARGV[7] instances index member
  Returns: 1
  Errors: INSTANCE_EXISTS <instance id> when the instance's latest execution is active, or this
          execution id was used before
]]
--- @include "lib/errors"
--- @include "lib/queue-workflow-task"

if redis.call('HGET', KEYS[1], 'state') == 'active' or redis.call('EXISTS', KEYS[2]) == 1 then
  return fail(ERR.INSTANCE_EXISTS, ARGV[1])
end

redis.call('HSET', KEYS[1], 'executionId', ARGV[2], 'state', 'active')
redis.call('HSET', KEYS[2],
  'state', 'active', 'name', ARGV[3], 'queue', ARGV[4], 'createdAt', ARGV[5],
  'lockToken', 0, 'lockedUntil', 0, 'lockEntry', '', 'queued', 0, 'historyLength', 0)
redis.call('XADD', KEYS[3], '*', 'e', ARGV[6])
queue_workflow_task(KEYS[2], KEYS[4], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[5], ARGV[5], ARGV[7])
return 1
