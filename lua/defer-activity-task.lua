--[[
  deferActivityTask: gives a claimed activity task back so that no worker takes it for a while (the
  worker that claimed it has not registered its activity). The entry stays pending: it moves to the
  deferred consumer named for the delay (`<name>~later~<delay ms>`) with its idle time reset, so
  reclaim-tasks sees a lease that ends after the delay and claims it then, raising its delivery count: the
  next claim counts as a redelivery, which is what grows the caller's backoff from one give-back to the
  next. Its heartbeat details and the execution's record of its entry stay. The attempt's startToClose and
  heartbeat deadlines go: they start again at its next claim. The delivery count stays as the caller
  claimed it, but no worker holds an entry of a deferred consumer (lib/holds-delivery), so the caller can no
  longer extend, start, give back or defer it, and a cancellation removes it at once
  (lib/cancel-unclaimed-activity).

  KEYS[1] activity-task stream
  KEYS[2] timers zset
  KEYS[3] the execution's set of pending timers
  ARGV[1] activity-task entry id
  ARGV[2] consumer group
  ARGV[3] delivery count the caller claimed the entry with (its fencing token)
  ARGV[4] deferred consumer named for the delay (`<name>~later~<delay ms>`)
  ARGV[5], ARGV[6] the attempt's startToClose and heartbeat deadline members ('' for none)
  Returns: 1, or 0 when the caller no longer holds the entry (nothing changed)
  Errors: none
]]
--- @include "lib/holds-delivery"
--- @include "lib/drop-timers"

local tasks, entry_id, group = KEYS[1], ARGV[1], ARGV[2]
if not holds_delivery(tasks, group, entry_id, ARGV[3]) then
  return 0
end
-- JUSTID keeps the delivery count: only a claim raises it.
redis.call('XCLAIM', tasks, group, ARGV[4], 0, entry_id, 'JUSTID')
drop_timers(KEYS[2], KEYS[3], { ARGV[5], ARGV[6] })
return 1
