--[[
  pollWorkflowTasks, the claim: locks the executions of workflow-task entries that XREADGROUP or
  reclaim-tasks just handed to this worker, all from one stream, and returns what the worker needs to run
  each. One call claims a whole polled batch. Each entry stays in the consumer's pending list until
  completion; its idle time is the stream-level lease.

  KEYS[1] workflow-task stream
  KEYS[2 + 3(i-1)], KEYS[3 + 3(i-1)], KEYS[4 + 3(i-1)] execution hash, inbox list and history list of
           the execution of entry i
  ARGV[1] consumer group
  ARGV[2] consumer the entries were delivered to, named for the lease it grants (`<name>~<ARGV[3]>`)
  ARGV[3] lock timeout (ms)
  ARGV[4] most inbox events to return per entry (0 = all); the rest wait for the next task
  ARGV[5 + 2(i-1)], ARGV[6 + 2(i-1)] entry id i, and the history length the caller already holds of
           its execution
  Returns: one reply per entry, in order. 0 when there is nothing to run: the entry is no longer pending
           for this consumer (another worker reclaimed or completed it meanwhile; nothing is touched), the
           execution is missing or no longer active, its inbox is empty, or another worker holds its
           lease (the entry is then removed, unless it is that holder's own entry, handed out early,
           which stays pending). Otherwise { lockToken, historyLength, { inboxId1, blob1, ... },
           { history blobs after the caller's length } }; the history part is empty when the caller
           holds more than historyLength.
  Errors: none
]]
--- @include "lib/lock-execution"

local stream, group, consumer = KEYS[1], ARGV[1], ARGV[2]
local lock_timeout_ms, max_events = tonumber(ARGV[3]), tonumber(ARGV[4])

local replies = {}
for i = 1, (#ARGV - 4) / 2 do
  local entry_id, known = ARGV[3 + 2 * i], tonumber(ARGV[4 + 2 * i])
  local k = 2 + 3 * (i - 1)
  -- A lock must be backed by a pending entry, or nobody could reclaim it if this worker died.
  local delivery = redis.call('XPENDING', stream, group, entry_id, entry_id, 1)[1]
  local locked = nil
  if delivery ~= nil and delivery[2] == consumer then
    locked = lock_execution(KEYS[k], KEYS[k + 1], KEYS[k + 2], stream, group, entry_id, delivery[3], known,
      lock_timeout_ms, max_events)
  end
  replies[i] = locked or 0
end
return replies
