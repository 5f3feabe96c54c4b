--[[
  deferActivityTask: gives a claimed activity task back so that no worker takes it for a while (the
  worker that claimed it has not registered its activity). The entry stays pending: it moves to the
  deferred consumer named for the delay (`<name>~later~<delay ms>`) with its idle time reset. A member of
  the timers zset, due when the delay ends (Redis time) and listed in the execution's set of pending
  timers, brings it back then: the timer loop runs requeue-deferred-activities, which moves it to a fresh
  entry that any worker takes at once, as a redelivery. reclaim-tasks also sees a lease that ends after
  the delay and claims it, as a redelivery too, should the timer not come first (its execution ended and
  dropped its timers); whichever comes first wins, and the other finds it gone or claimed and does
  nothing. The redelivery is what grows the caller's backoff from one give-back to the next. Its
  heartbeat details and the execution's record of its entry stay. The attempt's startToClose and
  heartbeat deadlines go: they start again at its next claim. The delivery count stays as the caller
  claimed it, but no worker holds an entry of a deferred consumer (lib/holds-delivery), so the caller can
  no longer extend, start, give back or defer it, and a cancellation removes it at once
  (lib/cancel-unclaimed-activity).

  KEYS[1] activity-task stream
  KEYS[2] timers zset
  KEYS[3] the execution's set of pending timers
  ARGV[1] activity-task entry id
  ARGV[2] consumer group
  ARGV[3] delivery count the caller claimed the entry with (its fencing token)
  ARGV[4] deferred consumer named for the delay (`<name>~later~<delay ms>`)
  ARGV[5], ARGV[6] the attempt's startToClose and heartbeat deadline members ('' for none)
  ARGV[7] timers member that brings the entry back (names the entry and the delivery count of ARGV[3])
  Returns: 1, or 0 when the caller no longer holds the entry (nothing changed)
  Publishes: on the timers zset's channel when the requeue timer is the earliest (lib/wake-owner)
  Errors: none
]]
--- @include "lib/holds-delivery"
--- @include "lib/drop-timers"
--- @include "lib/now-ms"
--- @include "lib/wake-owner"

local tasks, entry_id, group = KEYS[1], ARGV[1], ARGV[2]
-- Due when reclaim-tasks would find the delay over: both read it from the consumer's name.
local delay_ms = tonumber(string.match(ARGV[4], '~later~(%d+)$')) or 0
if not holds_delivery(tasks, group, entry_id, ARGV[3]) then
  return 0
end
-- JUSTID keeps the delivery count: only a claim raises it.
redis.call('XCLAIM', tasks, group, ARGV[4], 0, entry_id, 'JUSTID')
drop_timers(KEYS[2], KEYS[3], { ARGV[5], ARGV[6] })
local due_ms = now_ms() + delay_ms
redis.call('ZADD', KEYS[2], due_ms, ARGV[7])
redis.call('SADD', KEYS[3], ARGV[7])
wake_timers(KEYS[2], due_ms)
return 1
