--[[
  startActivityAttempt: starts the startToClose and heartbeat deadlines of an activity attempt a worker
  has just claimed, as members of the partition's timers zset (scored by their due time, Redis time),
  also listed in the execution's set of pending timers so that they go when it ends. A deadline already
  running is kept: a claim after a lease ran out continues the attempt's time, from its first claim (or
  its last heartbeat). Only the holder of the delivery may start it: a task timed out or handed out again
  between the claim and this call is not run.

  KEYS[1] activity-task stream
  KEYS[2] timers zset
  KEYS[3] execution's set of pending timers
  ARGV[1] activity-task entry id
  ARGV[2] consumer group
  ARGV[3] delivery count the caller claimed the entry with (its fencing token)
  ARGV[4] startToClose deadline member, or '' for none
  ARGV[5] startToClose timeout (ms)
  ARGV[6] heartbeat deadline member, or '' for none
  ARGV[7] heartbeat timeout (ms)
  Returns: nil when the caller does not hold the entry (nothing changed), else { ms left until the
           startToClose deadline, ms left until the heartbeat deadline }, -1 for one not asked for
  Publishes: on the timers zset's channel when a deadline is the earliest timer (lib/wake-owner)
  Errors: none
]]
--- @include "lib/holds-delivery"
--- @include "lib/now-ms"
--- @include "lib/wake-owner"

local tasks, timers, execution_timers = KEYS[1], KEYS[2], KEYS[3]
if not holds_delivery(tasks, ARGV[2], ARGV[1], ARGV[3]) then
  return nil
end
local now = now_ms()

local function start(member, timeout_ms)
  if member == '' then
    return -1
  end
  redis.call('ZADD', timers, 'NX', now + tonumber(timeout_ms), member)
  redis.call('SADD', execution_timers, member)
  local due_ms = tonumber(redis.call('ZSCORE', timers, member))
  wake_timers(timers, due_ms)
  return math.max(0, due_ms - now)
end

return { start(ARGV[4], ARGV[5]), start(ARGV[6], ARGV[7]) }
