--[[
  Timer loop, deferred activity tasks: brings back each activity task given back for later
  (defer-activity-task) whose timers member came due. If its entry is still pending under a deferred
  consumer (`~later~`) with the delivery count the member names, the task moves to a fresh entry exactly
  as release-activity-task moves it (lib/requeue-activity-entry: heartbeat details and the execution's
  record follow it, readers blocked on the stream wake), and any worker takes it at once. Field `r` counts
  the deferral's delivery as a redelivery, as a reclaim of the deferred entry would. An entry that a
  reclaim took meanwhile (the count went up), that a cancellation or a timeout removed, or that is gone is
  left as it is: only the member goes. A member already gone (another loop fired it, the execution ended)
  is skipped, so each deferral comes back at most once.

  KEYS[1] timers zset
  then for task i = 0 .. n-1:
  KEYS[2 + 4i] activity-task stream
  KEYS[3 + 4i] heartbeats hash
  KEYS[4 + 4i] execution hash of the workflow that scheduled the attempt
  KEYS[5 + 4i] the execution's set of pending timers
  ARGV[1] consumer group
  ARGV[2] n = number of tasks
  then for task i = 0 .. n-1:
  ARGV[3 + 4i] the due timers member
  ARGV[4 + 4i] activity-task entry id
  ARGV[5 + 4i] delivery count the entry was deferred with
  ARGV[6 + 4i] schedule event id of the attempt
  Returns: number of tasks moved to a fresh entry
  Errors: none
]]
--- @include "lib/deferred-consumer"
--- @include "lib/requeue-activity-entry"

local timers, group = KEYS[1], ARGV[1]
local requeued = 0
for i = 0, tonumber(ARGV[2]) - 1 do
  local k, a = 2 + 4 * i, 3 + 4 * i
  local tasks, heartbeats, execution, execution_timers = KEYS[k], KEYS[k + 1], KEYS[k + 2], KEYS[k + 3]
  local entry_id, deliveries = ARGV[a + 1], tonumber(ARGV[a + 2])
  if redis.call('ZREM', timers, ARGV[a]) == 1 then
    redis.call('SREM', execution_timers, ARGV[a])
    local ok, pending = pcall(redis.call, 'XPENDING', tasks, group, entry_id, entry_id, 1)
    if ok and #pending > 0 and pending[1][4] == deliveries and deferred_consumer(pending[1][2]) then
      if requeue_activity_entry(tasks, heartbeats, execution, group, entry_id, ARGV[a + 3], deliveries) then
        requeued = requeued + 1
      end
    end
  end
end
return requeued
