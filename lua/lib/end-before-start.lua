--[[
  Ends, cancelled, an execution that has not started: active, with no workflow task committed
  (historyLength 0) and none running (no lock whose lease still runs). Its history becomes its
  WorkflowExecutionStarted (the first inbox event, put there when it was created), then `canceled` and
  `finished`; end_execution does the rest. A holder whose lease lapsed during the first task loses the
  lock, so its completion is refused; a hold (its first task failed outside its code) is cleared. Returns true when it ended the execution; false, writing nothing,
  for any other. Only the first execution of a chain is ended this way: a continuation has run before.

  k: the keys end_execution takes, and `held` (the held index zset)
  a: { instance_id, execution_id, canceled, finished (event blobs), retention_ms, channel }
]]
--- @include "lib/now-ms"
--- @include "lib/inbox"
--- @include "lib/index-member"
--- @include "lib/end-execution"
--- @include "lib/clear-hold"

local function end_before_start(k, a)
  local f = redis.call('HMGET', k.execution, 'state', 'historyLength', 'lockedUntil')
  if f[1] ~= 'active' or f[2] ~= '0' or (tonumber(f[3]) or 0) > now_ms() then
    return false
  end
  -- Until its first task commits, an execution's inbox starts with its WorkflowExecutionStarted.
  local first = redis.call('LINDEX', k.inbox, 0)
  if first == false then
    return false
  end
  local _, started = split_inbox_entry(first)
  redis.call('RPUSH', k.history, started, a.canceled, a.finished)
  redis.call('HSET', k.execution, 'historyLength', 3, 'lockedUntil', 0, 'lockEntry', '')
  clear_hold(k.execution, k.held, index_member(a.instance_id, a.execution_id))
  end_execution(k, { instance_id = a.instance_id, execution_id = a.execution_id, state = 'finished',
    retention_ms = a.retention_ms, channel = a.channel, message = index_member(a.instance_id, a.execution_id),
    -- An execution that never ran cannot have continued another: it is its chain's first.
    earlier = {} })
  return true
end
