--[[
  Removes a scheduled activity attempt that no worker has claimed, so that it never runs, and returns
  true; returns false, writing nothing, when a worker holds it (it runs to its end) or it is gone (it has
  completed). Claimed means delivered to a consumer and not given back: the entry is in the consumer
  group's pending list, with a consumer other than a deferred one. A task given back at once moved to a
  fresh entry that no one has read yet; one given back for later stays pending under a deferred consumer
  (see defer-activity-task.lua), held by no worker.
]]
--- @include "lib/activity-entry-field"
--- @include "lib/deferred-consumer"

local function cancel_unclaimed_activity(execution, tasks, heartbeats, group, schedule_event_id)
  local field = activity_entry_field(schedule_event_id)
  local entry_id = redis.call('HGET', execution, field)
  if not entry_id or #redis.call('XRANGE', tasks, entry_id, entry_id) == 0 then
    return false
  end
  -- Without the group nobody has read the stream yet.
  local ok, pending = pcall(redis.call, 'XPENDING', tasks, group, entry_id, entry_id, 1)
  if ok and #pending > 0 then
    if not deferred_consumer(pending[1][2]) then
      return false
    end
    redis.call('XACK', tasks, group, entry_id)
  end
  redis.call('XDEL', tasks, entry_id)
  redis.call('HDEL', execution, field)
  -- A task given back keeps its heartbeat details under its new entry id.
  redis.call('HDEL', heartbeats, entry_id)
  return true
end
