--[[
  pollWorkflowTasks, the claim: locks the execution of a workflow-task entry that XREADGROUP or
  XAUTOCLAIM just handed to this worker, and returns what the worker needs to run it. The entry stays
  in the consumer's pending list until completion; its idle time is the stream-level lease.

  KEYS[1] execution hash
  KEYS[2] inbox stream
  KEYS[3] history list
  KEYS[4] workflow-task stream
  ARGV[1] entry id
  ARGV[2] consumer group
  ARGV[3] history length the caller already holds
  ARGV[4] lock timeout (ms)
  ARGV[5] most inbox events to return (0 = all); the rest wait for the next task
  ARGV[6] consumer the entry was delivered to
  Returns: nil when there is nothing to run: the entry is no longer pending for this consumer (another
           worker reclaimed or completed it meanwhile; nothing is touched), the execution is missing or no
           longer active, its inbox is empty, or another worker holds its lease (the entry is then
           removed, unless it is that holder's own entry, handed out early, which stays pending).
           Otherwise { lockToken, historyLength, { inboxId1, blob1, inboxId2, blob2, ... },
           { history blobs after the caller's length } }; the history part is empty when the caller
           holds more than historyLength.
  Errors: none
]]
--- @include "lib/lock-execution"

local execution, inbox, history, stream = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local entry_id, group = ARGV[1], ARGV[2]

-- A lock must be backed by a pending entry, or nobody could reclaim it if this worker died.
local delivery = redis.call('XPENDING', stream, group, entry_id, entry_id, 1)[1]
if delivery == nil or delivery[2] ~= ARGV[6] then
  return nil
end
return lock_execution(execution, inbox, history, stream, group, entry_id, delivery[3], tonumber(ARGV[3]),
  tonumber(ARGV[4]), tonumber(ARGV[5]))
