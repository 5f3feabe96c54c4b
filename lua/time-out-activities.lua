--[[
  Timer loop, activity deadlines: fails each activity attempt whose deadline member came due before it
  completed. The attempt's task entry is removed (a later completion finds it gone and changes nothing;
  a worker still running it loses its lease), with its heartbeat details, its `a<scheduleEventId>` record
  and its other deadlines, and the execution receives the ActivityFailed event (if it is still active).
  A member already gone (the attempt completed or was given back, another loop fired it, the execution
  ended), or whose score moved past the caller's due time since it was read (a heartbeat pushed it), is
  skipped, so each attempt times out at most once.

  KEYS[1] timers zset
  then for attempt i = 0 .. n-1:
  KEYS[2 + 6i] execution hash
  KEYS[3 + 6i] inbox list
  KEYS[4 + 6i] workflow-task stream of the workflow's queue
  KEYS[5 + 6i] the execution's set of pending timers
  KEYS[6 + 6i] activity-task stream of the attempt
  KEYS[7 + 6i] heartbeats hash
  ARGV[1] due time (ms): members scored later are skipped
  ARGV[2] consumer group
  ARGV[3] n = number of attempts
  then for attempt i = 0 .. n-1:
  ARGV[4 + 7i] the due deadline member
  ARGV[5 + 7i], ARGV[6 + 7i] the attempt's other deadline members ('' for none)
  ARGV[7 + 7i] schedule event id of the attempt
  ARGV[8 + 7i] ActivityFailed event blob
  ARGV[9 + 7i] instance id
  ARGV[10 + 7i] execution id
  Returns: number of ActivityFailed events delivered
  Errors: none
]]
--- @include "lib/ack-entry"
--- @include "lib/deliver-event"
--- @include "lib/activity-entry-field"
--- @include "lib/drop-timers"

local timers, due_by, group = KEYS[1], tonumber(ARGV[1]), ARGV[2]
local delivered = 0
for i = 0, tonumber(ARGV[3]) - 1 do
  local k, a = 2 + 6 * i, 4 + 7 * i
  local execution, inbox, stream, execution_timers, tasks, heartbeats =
    KEYS[k], KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], KEYS[k + 5]
  local score = redis.call('ZSCORE', timers, ARGV[a])
  if score and tonumber(score) <= due_by then
    drop_timers(timers, execution_timers, { ARGV[a], ARGV[a + 1], ARGV[a + 2] })
    local field = activity_entry_field(ARGV[a + 3])
    local entry_id = redis.call('HGET', execution, field)
    if entry_id then
      redis.call('HDEL', execution, field)
      ack_entry(tasks, group, entry_id)
      redis.call('HDEL', heartbeats, entry_id)
      if deliver_event(execution, inbox, stream, ARGV[a + 5], ARGV[a + 6], ARGV[a + 4], 'ActivityFailed') then
        delivered = delivered + 1
      end
    end
  end
end
return delivered
