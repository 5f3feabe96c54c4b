--[[
  Ends an execution (state finished or continued-as-new): records the state and end time, drops what
  only an active execution needs (unprocessed inbox events, pending timers), moves it from the active
  set to the finished index, announces it on the finished channel and, with a retention, makes its
  keys expire. Index entries of executions whose keys already expired are dropped a few at a time, so
  the indexes stay bounded without anyone listing them.

  k: { instance, execution, inbox, history, execution_timers, timers, instances, active, finished,
       expiring } (keys)
  a: { instance_id, execution_id, state, retention_ms, channel, message }
]]
--- @include "lib/now-ms"
--- @include "lib/index-member"
--- @include "lib/forget-timers"

local EXPIRED_PER_END = 10

local function end_execution(k, a)
  local now = now_ms()
  redis.call('HSET', k.execution, 'state', a.state, 'finishedAt', now)
  local current = redis.call('HGET', k.instance, 'executionId') == a.execution_id
  if current then
    redis.call('HSET', k.instance, 'state', a.state)
  end
  redis.call('DEL', k.inbox)
  forget_timers(k.execution_timers, k.timers)
  local member = index_member(a.instance_id, a.execution_id)
  redis.call('SREM', k.active, member)
  redis.call('ZADD', k.finished, now, member)
  if a.retention_ms > 0 then
    redis.call('PEXPIRE', k.execution, a.retention_ms)
    redis.call('PEXPIRE', k.history, a.retention_ms)
    if current then
      redis.call('PEXPIRE', k.instance, a.retention_ms)
    end
    local gone = redis.call('ZRANGE', k.expiring, '-inf', now, 'BYSCORE', 'LIMIT', 0, EXPIRED_PER_END)
    for _, old in ipairs(gone) do
      redis.call('ZREM', k.instances, old)
      redis.call('ZREM', k.finished, old)
      redis.call('ZREM', k.expiring, old)
    end
    redis.call('ZADD', k.expiring, now + a.retention_ms, member)
  end
  redis.call('PUBLISH', a.channel, a.message)
end
