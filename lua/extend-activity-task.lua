--[[
  extendActivityTask: renews an activity task's lease for the lock timeout the caller asks for, and
  records heartbeat details. The lease lives in the group's pending list: the entry moves to the caller's
  consumer named for that lock timeout (`<name>~<ms>`) with its idle time reset, which is where
  reclaim-tasks reads how long the holder's lease runs. Only the holder of the latest delivery may extend
  it, so it never takes a task back from a worker that reclaimed it. A heartbeat also pushes the attempt's
  heartbeat deadline (the timers member start-activity-attempt wrote, if it is still there) to its
  timeout from now.

  KEYS[1] activity-task stream
  KEYS[2] heartbeats hash
  KEYS[3] timers zset
  ARGV[1] activity-task entry id
  ARGV[2] consumer group
  ARGV[3] consumer named for the lease to grant (`<name>~<lock timeout ms>`)
  ARGV[4] delivery count the caller claimed the entry with (its fencing token)
  ARGV[5] '1' when heartbeat details follow, else '0'
  ARGV[6] heartbeat details blob (when ARGV[5] is '1')
  ARGV[7] heartbeat deadline member to push, or '' (no heartbeat, or no heartbeat timeout)
  ARGV[8] heartbeat timeout (ms)
  Returns: 1
  Errors: LEASE_LOST <entry id> when the entry is not pending with that delivery count
]]
--- @include "lib/errors"
--- @include "lib/holds-delivery"
--- @include "lib/now-ms"

local tasks, heartbeats, entry_id, group, consumer = KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3]
if not holds_delivery(tasks, group, entry_id, ARGV[4]) then
  return fail(ERR.LEASE_LOST, entry_id)
end
redis.call('XCLAIM', tasks, group, consumer, 0, entry_id, 'JUSTID')
if ARGV[5] == '1' then
  redis.call('HSET', heartbeats, entry_id, ARGV[6])
end
if ARGV[7] ~= '' then
  redis.call('ZADD', KEYS[3], 'XX', now_ms() + tonumber(ARGV[8]), ARGV[7])
end
return 1
