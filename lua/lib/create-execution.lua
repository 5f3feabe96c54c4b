--[[
  Creates an active execution: points the instance hash at it, writes the execution hash, puts its
  WorkflowExecutionStarted event in its inbox, queues its first workflow task and adds it to the
  partition's indexes. The caller has made sure the instance id has no active execution. Both hashes
  record its continue-as-new chain: `a.chain` when it continues one, else a new chain named after it.

  k: { instance, execution, inbox, stream, instances, active, workflow_queues } (keys)
  a: { instance_id, execution_id, name, queue, created_at, started, chain? } (started = the event blob)
]]
--- @include "lib/index-member"
--- @include "lib/inbox"
--- @include "lib/queue-workflow-task"

local function create_execution(k, a)
  local chain = a.chain or a.execution_id
  redis.call('HSET', k.instance, 'executionId', a.execution_id, 'state', 'active', 'queue', a.queue, 'chain', chain)
  -- The retention of a chain this id ran before may have left a TTL on the instance hash.
  redis.call('PERSIST', k.instance)
  redis.call('HSET', k.execution,
    'state', 'active', 'name', a.name, 'queue', a.queue, 'createdAt', a.created_at,
    'lockToken', 0, 'lockedUntil', 0, 'lockEntry', '', 'queued', 0, 'historyLength', 0, 'chain', chain)
  push_inbox(k.inbox, 'WorkflowExecutionStarted', a.started)
  queue_workflow_task(k.execution, k.stream, a.instance_id, a.execution_id)
  local member = index_member(a.instance_id, a.execution_id)
  redis.call('ZADD', k.instances, a.created_at, member)
  redis.call('SADD', k.active, member)
  redis.call('SADD', k.workflow_queues, a.queue)
end
