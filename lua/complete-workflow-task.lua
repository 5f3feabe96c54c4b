--[[
  completeWorkflowTask, the checkpoint: commits everything a workflow task produced, atomically, if
  the caller still holds the execution's lease. Writes nothing when it is rejected.

  KEYS[1] execution hash
  KEYS[2] inbox stream
  KEYS[3] history list
  KEYS[4] workflow-task stream
  KEYS[5] timers zset
  KEYS[6] instance hash
  KEYS[7] the execution's set of pending timers
  KEYS[8] instances index zset
  KEYS[9] active executions set
  KEYS[10] finished executions zset
  KEYS[11] expiring executions zset
  KEYS[12] activity queues set
  KEYS[13..] activity-task streams, one per distinct activity queue in this completion
  ARGV[1] lock token
  ARGV[2] workflow-task entry id
  ARGV[3] consumer group
  ARGV[4] inbox cursor: id of the last inbox event the task consumed ('' = none)
  ARGV[5] history length the task started from
  ARGV[6] state after the task: active | continued-as-new | finished
  ARGV[7] instance id
  ARGV[8] execution id
  ARGV[9] channel to publish on when the execution ends
  ARGV[10] message to publish
  ARGV[11] retention (ms) of an ended execution's keys; 0 = keep them
  ARGV[12] h = number of history event blobs, then the h blobs
  then t = number of timers to add, then t pairs (due score in ms, timers member)
  then c = number of timers to remove, then c timers members
  then q = number of activity queues, then q queue names (queue i's stream is KEYS[12 + i])
  then a = number of activity tasks, then a pairs (queue number 1..q, task blob)
  Returns: 1
  Errors: LEASE_LOST <execution id> when the token is not the current one or the lock was released
          HISTORY_CONFLICT <execution id> when the history does not have the length the task started from
]]
--- @include "lib/errors"
--- @include "lib/ack-entry"
--- @include "lib/holds-lease"
--- @include "lib/push-all"
--- @include "lib/queue-workflow-task"
--- @include "lib/end-execution"

local execution, inbox, history, stream, timers, instance = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local execution_timers = KEYS[7]
local token, entry_id, group, cursor = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local state, instance_id, execution_id = ARGV[6], ARGV[7], ARGV[8]
local FIXED_KEYS = 12

if not holds_lease(execution, token) then
  return fail(ERR.LEASE_LOST, execution_id)
end
if redis.call('HGET', execution, 'historyLength') ~= ARGV[5] then
  return fail(ERR.HISTORY_CONFLICT, execution_id)
end

local at = 12
local count = tonumber(ARGV[at])
if count > 0 then
  push_all(history, at + 1, count)
  redis.call('HINCRBY', execution, 'historyLength', count)
end
at = at + 1 + count

if cursor ~= '' then
  redis.call('XTRIM', inbox, 'MINID', cursor)
  redis.call('XDEL', inbox, cursor)
end

count = tonumber(ARGV[at])
for i = 1, count do
  redis.call('ZADD', timers, ARGV[at + 2 * i - 1], ARGV[at + 2 * i])
  redis.call('SADD', execution_timers, ARGV[at + 2 * i])
end
at = at + 1 + 2 * count

count = tonumber(ARGV[at])
for i = 1, count do
  redis.call('ZREM', timers, ARGV[at + i])
  redis.call('SREM', execution_timers, ARGV[at + i])
end
at = at + 1 + count

count = tonumber(ARGV[at])
for i = 1, count do
  redis.call('SADD', KEYS[12], ARGV[at + i])
end
at = at + 1 + count

count = tonumber(ARGV[at])
for i = 1, count do
  redis.call('XADD', KEYS[FIXED_KEYS + tonumber(ARGV[at + 2 * i - 1])], '*', 't', ARGV[at + 2 * i])
end
at = at + 1 + 2 * count

redis.call('HSET', execution, 'lockedUntil', 0, 'lockEntry', '')
ack_entry(stream, group, entry_id)

if state ~= 'active' then
  end_execution(
    { instance = instance, execution = execution, inbox = inbox, history = history,
      execution_timers = execution_timers, timers = timers, instances = KEYS[8], active = KEYS[9],
      finished = KEYS[10], expiring = KEYS[11] },
    { instance_id = instance_id, execution_id = execution_id, state = state,
      retention_ms = tonumber(ARGV[11]), channel = ARGV[9], message = ARGV[10] })
elseif redis.call('XLEN', inbox) > 0 and redis.call('HGET', execution, 'queued') ~= '1' then
  queue_workflow_task(execution, stream, instance_id, execution_id)
end
return 1
