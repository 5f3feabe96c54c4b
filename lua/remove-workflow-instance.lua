--[[
  removeWorkflowInstance (and, one execution at a time, removeWorkflowInstances): deletes an ended
  execution and everything kept for it: its hash, inbox, history, pending timers and index entries,
  and the instance hash when that still points at it. An execution whose keys are already gone (removed,
  or expired after its retention) has its index entries dropped and counts as not found.

  KEYS[1] instance hash
  KEYS[2] execution hash
  KEYS[3] inbox stream
  KEYS[4] history list
  KEYS[5] the execution's set of pending timers
  KEYS[6] timers zset
  KEYS[7] instances index zset
  KEYS[8] finished executions zset
  KEYS[9] expiring executions zset
  KEYS[10] active executions set
  ARGV[1] instance id
  ARGV[2] execution id
  Returns: 1 when removed; 0 when there is no such execution; -1 when it is active (nothing written)
  Errors: none
]]
--- @include "lib/index-member"
--- @include "lib/forget-timers"

local instance, execution = KEYS[1], KEYS[2]
local member = index_member(ARGV[1], ARGV[2])
local state = redis.call('HGET', execution, 'state')
if state == false then
  redis.call('ZREM', KEYS[7], member)
  redis.call('ZREM', KEYS[8], member)
  redis.call('ZREM', KEYS[9], member)
  redis.call('SREM', KEYS[10], member)
  return 0
end
if state == 'active' then
  return -1
end
forget_timers(KEYS[5], KEYS[6])
redis.call('DEL', execution, KEYS[3], KEYS[4])
redis.call('ZREM', KEYS[7], member)
redis.call('ZREM', KEYS[8], member)
redis.call('ZREM', KEYS[9], member)
if redis.call('HGET', instance, 'executionId') == ARGV[2] then
  redis.call('DEL', instance)
end
return 1
