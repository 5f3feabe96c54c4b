--[[
  completeActivityTask: removes an activity task and delivers its outcome event to the execution that
  scheduled it. The task's stream entry is the proof that no outcome was recorded yet: once it is gone,
  a second completion (a duplicate run after a lease expired) changes nothing.

  KEYS[1] activity-task stream
  KEYS[2] execution hash
  KEYS[3] inbox stream
  KEYS[4] workflow-task stream of the workflow's queue
  KEYS[5] heartbeats hash
  ARGV[1] activity-task entry id
  ARGV[2] consumer group
  ARGV[3] ActivityCompleted or ActivityFailed event blob
  ARGV[4] instance id
  ARGV[5] execution id
  ARGV[6] event type (ActivityCompleted or ActivityFailed)
  Returns: 1 when the event was delivered, 0 when the task was already completed (nothing changed),
           2 when the execution has ended (the task is removed, the event dropped)
  Errors: none
]]
--- @include "lib/ack-entry"
--- @include "lib/deliver-event"

local tasks, execution, inbox, stream, heartbeats = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local entry_id = ARGV[1]

if #redis.call('XRANGE', tasks, entry_id, entry_id) == 0 then
  return 0
end
ack_entry(tasks, ARGV[2], entry_id)
redis.call('HDEL', heartbeats, entry_id)
if deliver_event(execution, inbox, stream, ARGV[4], ARGV[5], ARGV[3], ARGV[6]) then
  return 1
end
return 2
