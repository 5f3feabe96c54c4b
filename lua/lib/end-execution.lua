--[[
  Ends an execution (state finished or continued-as-new): records the state and end time, drops what
  only an active execution needs (unprocessed inbox events, pending timers), moves it from the active
  set to the chains index and announces it on the finished channel.

  An execution that continues as new leaves its chain running: it stays out of the finished index and
  keeps its keys, since a chain is removed or expires only as a whole. The chain ends with the
  execution that finishes: it enters the finished index (scored by that end time, which is the chain's)
  and, with a retention, its keys and those of the chain's earlier executions (`a.earlier`) expire
  together. Index entries of executions whose keys already expired are dropped a few at a time then, so
  the indexes stay bounded without anyone listing them.

  k: { instance, execution, inbox, history, execution_timers, timers, instances, active, finished,
       expiring, chains } (keys)
  a: { instance_id, execution_id, state, retention_ms, channel, message,
       earlier = { { execution_id, execution, history }, ... } } (the chain's earlier executions and
       their keys; only needed when it finishes with a retention)
]]
--- @include "lib/now-ms"
--- @include "lib/index-member"
--- @include "lib/forget-timers"
--- @include "lib/chain-index"
--- @include "lib/announce"

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
  local chain = redis.call('HGET', k.execution, 'chain') or a.execution_id
  redis.call('ZADD', k.chains, 0, chain_entry(a.instance_id, a.execution_id, chain))
  if a.state == 'finished' then
    redis.call('ZADD', k.finished, now, member)
    if a.retention_ms > 0 then
      local gone = redis.call('ZRANGE', k.expiring, '-inf', now, 'BYSCORE', 'LIMIT', 0, EXPIRED_PER_END)
      for _, old in ipairs(gone) do
        redis.call('ZREM', k.instances, old)
        redis.call('ZREM', k.finished, old)
        redis.call('ZREM', k.expiring, old)
        drop_chain_entry(k.chains, old)
      end
      redis.call('PEXPIRE', k.execution, a.retention_ms)
      redis.call('PEXPIRE', k.history, a.retention_ms)
      if current then
        redis.call('PEXPIRE', k.instance, a.retention_ms)
      end
      local expires_at = now + a.retention_ms
      redis.call('ZADD', k.expiring, expires_at, member)
      for _, earlier in ipairs(a.earlier) do
        redis.call('PEXPIRE', earlier.execution, a.retention_ms)
        redis.call('PEXPIRE', earlier.history, a.retention_ms)
        redis.call('ZADD', k.expiring, expires_at, index_member(a.instance_id, earlier.execution_id))
      end
    end
  end
  announce(a.channel, a.message)
end
