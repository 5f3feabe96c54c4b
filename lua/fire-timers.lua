--[[
  Timer loop: moves due timers into their executions' inboxes. A timer whose member is already gone
  (fired by another worker, or cancelled) is skipped, so firing twice delivers once. A locked execution
  gets its TimerFired at once too; the holder's completion re-queues it, so busy executions never
  starve their timers.

  KEYS[1] timers zset
  then for timer i = 0 .. n-1:
  KEYS[2 + 4i] execution hash
  KEYS[3 + 4i] inbox stream
  KEYS[4 + 4i] workflow-task stream of the workflow's queue
  KEYS[5 + 4i] the execution's set of pending timers
  ARGV[1] n = number of timers
  then for timer i = 0 .. n-1:
  ARGV[2 + 4i] timers member
  ARGV[3 + 4i] TimerFired event blob
  ARGV[4 + 4i] instance id
  ARGV[5 + 4i] execution id
  Returns: number of TimerFired events delivered
  Errors: none
]]
--- @include "lib/deliver-event"

local delivered = 0
for i = 0, tonumber(ARGV[1]) - 1 do
  local k, a = 2 + 4 * i, 2 + 4 * i
  if redis.call('ZREM', KEYS[1], ARGV[a]) == 1 then
    redis.call('SREM', KEYS[k + 3], ARGV[a])
    if deliver_event(KEYS[k], KEYS[k + 1], KEYS[k + 2], ARGV[a + 2], ARGV[a + 3], ARGV[a + 1], 'TimerFired') then
      delivered = delivered + 1
    end
  end
end
return delivered
