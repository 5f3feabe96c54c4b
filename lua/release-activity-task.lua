--[[
  releaseActivityTask: gives a claimed activity task back for another worker to take at once. Stream
  entries cannot be un-delivered, so the task moves to a fresh entry (with its heartbeat details) and
  the old one is removed (lib/requeue-activity-entry). The fresh entry's field `r` carries the attempt's
  redeliveries so far (those carried in `r` plus the old entry's reclaims, its delivery count - 1); the
  release itself is not one. The execution hash's record of the attempt's entry follows it, so that a
  cancellation can still find the task. The attempt's startToClose and heartbeat deadlines go: they start
  again at its next claim.

  KEYS[1] activity-task stream
  KEYS[2] heartbeats hash
  KEYS[3] execution hash of the workflow that scheduled the attempt
  KEYS[4] timers zset
  KEYS[5] the execution's set of pending timers
  ARGV[1] activity-task entry id
  ARGV[2] consumer group
  ARGV[3] delivery count the caller claimed the entry with (its fencing token)
  ARGV[4] schedule event id of the attempt
  ARGV[5], ARGV[6] the attempt's startToClose and heartbeat deadline members ('' for none)
  Returns: the new entry id, or nil when the caller no longer holds the entry (nothing changed)
  Errors: none
]]
--- @include "lib/holds-delivery"
--- @include "lib/requeue-activity-entry"
--- @include "lib/drop-timers"

local tasks, heartbeats, execution = KEYS[1], KEYS[2], KEYS[3]
local entry_id, group, deliveries = ARGV[1], ARGV[2], tonumber(ARGV[3])
if not holds_delivery(tasks, group, entry_id, deliveries) then
  return nil
end
local new_id = requeue_activity_entry(tasks, heartbeats, execution, group, entry_id, ARGV[4], deliveries - 1)
if not new_id then
  return nil
end
drop_timers(KEYS[4], KEYS[5], { ARGV[5], ARGV[6] })
return new_id
