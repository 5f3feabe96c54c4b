--[[
  removeWorkflowInstance (and, a chain at a time, removeWorkflowInstances): deletes an ended execution
  together with every other execution of its continue-as-new chain, since a chain is only ever removed
  as a whole: their hashes, inboxes, histories, pending timers and index entries, and the instance hash
  when it points into the chain. A chain whose latest execution is active is not finished and is left
  alone; so is one that finished at or after the given bound. An execution whose keys are already gone
  (removed, or expired after its retention) has its index entries dropped and counts as not found.

  The caller reads the chain's executions from the chains index first (their keys depend on them); the
  script checks it still lists exactly those and writes nothing otherwise, so the caller can read again.

  KEYS[1] instance hash
  KEYS[2] timers zset
  KEYS[3] instances index zset
  KEYS[4] finished executions zset
  KEYS[5] expiring executions zset
  KEYS[6] active executions set
  KEYS[7] chains index zset
  KEYS[8..] per execution of the chain, the one asked for first: its hash, inbox list, history list
            and set of pending timers (four keys each)
  ARGV[1] instance id
  ARGV[2] bound (ms): only remove a chain that finished before it; '' = any finished chain
  ARGV[3..] the chain's execution ids, in the order of their keys
  Returns: the number of executions removed (> 0); 0 when the execution asked for does not exist;
           -1 when its chain's latest execution is active; -2 when the chain's executions are not the
           ones given (read them again); -3 when the chain finished at or after the bound
           (nothing written unless > 0, or 0 with stale index entries dropped)
  Errors: none
]]
--- @include "lib/index-member"
--- @include "lib/forget-timers"
--- @include "lib/chain-index"

local instance, timers, instances, finished, expiring, active, chains =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local instance_id, bound = ARGV[1], ARGV[2]
local given = #ARGV - 2

local function execution_keys(i)
  local at = 8 + 4 * (i - 1)
  return KEYS[at], KEYS[at + 1], KEYS[at + 2], KEYS[at + 3]
end

local asked = ARGV[3]
local asked_execution = execution_keys(1)
local state = redis.call('HGET', asked_execution, 'state')
if state == false then
  local member = index_member(instance_id, asked)
  redis.call('ZREM', instances, member)
  redis.call('ZREM', finished, member)
  redis.call('ZREM', expiring, member)
  redis.call('SREM', active, member)
  drop_chain_entry(chains, member)
  return 0
end
if state == 'active' then
  return -1
end

local chain = chain_of(chains, instance_id, asked) or redis.call('HGET', asked_execution, 'chain') or asked
local latest = redis.call('HMGET', instance, 'executionId', 'state', 'chain')
if latest[2] == 'active' and latest[3] == chain then
  return -1
end

local members = chain_members(chains, instance_id, chain)
if #members == 0 then
  members = { asked }
end
if #members ~= given then
  return -2
end
local listed = {}
for _, id in ipairs(members) do
  listed[id] = true
end
for i = 1, given do
  if not listed[ARGV[2 + i]] then
    return -2
  end
end

if bound ~= '' then
  for i = 1, given do
    local finished_at = tonumber(redis.call('HGET', (execution_keys(i)), 'finishedAt'))
    if finished_at and finished_at >= tonumber(bound) then
      return -3
    end
  end
end

local removed = 0
for i = 1, given do
  local id = ARGV[2 + i]
  local execution, inbox, history, execution_timers = execution_keys(i)
  forget_timers(execution_timers, timers)
  removed = removed + redis.call('DEL', execution)
  redis.call('DEL', inbox, history)
  local member = index_member(instance_id, id)
  redis.call('ZREM', instances, member)
  redis.call('ZREM', finished, member)
  redis.call('ZREM', expiring, member)
  redis.call('ZREM', chains, chain_entry(instance_id, id, chain))
  if latest[1] == id then
    redis.call('DEL', instance)
  end
end
return removed
