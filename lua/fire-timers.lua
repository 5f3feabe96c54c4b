--[[
  Timer loop: moves due timers into their executions' inboxes. A timer whose member is already gone
  (fired by another worker, or cancelled) is skipped, so firing twice delivers once. A locked execution
  gets its TimerFired at once too; the holder's completion re-queues it, so busy executions never
  starve their timers. A held task's retry (an empty event blob) delivers nothing: it ends the backoff
  (`held` = 0) and queues the task, if the execution is still held and active.

  KEYS[1] timers zset
  then for timer i = 0 .. n-1:
  KEYS[2 + 4i] execution hash
  KEYS[3 + 4i] inbox list
  KEYS[4 + 4i] workflow-task stream of the workflow's queue
  KEYS[5 + 4i] the execution's set of pending timers
  ARGV[1] n = number of timers
  then for timer i = 0 .. n-1:
  ARGV[2 + 4i] timers member
  ARGV[3 + 4i] TimerFired event blob, or '' for a held task's retry
  ARGV[4 + 4i] instance id
  ARGV[5 + 4i] execution id
  Returns: number of TimerFired events delivered
  Errors: none
]]
--- @include "lib/deliver-event"
--- @include "lib/wake-workflow"

-- Ends the backoff of a held task: the hold stays recorded (attempts go on counting) until a commit.
local function resume_held(execution, inbox, stream, instance_id, execution_id)
  local f = redis.call('HMGET', execution, 'state', 'held')
  if f[1] == 'active' and f[2] == '1' then
    redis.call('HSET', execution, 'held', 0)
    if redis.call('EXISTS', inbox) == 1 then
      wake_workflow(execution, stream, instance_id, execution_id)
    end
  end
end

local delivered = 0
for i = 0, tonumber(ARGV[1]) - 1 do
  local k, a = 2 + 4 * i, 2 + 4 * i
  if redis.call('ZREM', KEYS[1], ARGV[a]) == 1 then
    redis.call('SREM', KEYS[k + 3], ARGV[a])
    if ARGV[a + 1] == '' then
      resume_held(KEYS[k], KEYS[k + 1], KEYS[k + 2], ARGV[a + 2], ARGV[a + 3])
    elseif deliver_event(KEYS[k], KEYS[k + 1], KEYS[k + 2], ARGV[a + 2], ARGV[a + 3], ARGV[a + 1], 'TimerFired') then
      delivered = delivered + 1
    end
  end
end
return delivered
