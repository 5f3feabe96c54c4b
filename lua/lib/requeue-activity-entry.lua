--[[
  Moves the activity task at stream entry `entry_id` to a fresh entry of its stream, for any worker to take
  at once, and returns the fresh entry's id; nil when the entry is no longer in the stream (it is only
  acknowledged then). Stream entries cannot be un-delivered, so this is how a task goes back to its queue.
  Field `r` of the fresh entry carries the attempt's redeliveries: those the old entry carried plus
  `redeliveries`. The heartbeat details follow the task, and so does the execution hash's record of the
  attempt's entry (if it still names this one), so that a cancellation still finds the task. Adding the
  entry wakes the readers blocked on the stream, and it is announced to those that are not (lib/announce-task).
]]
--- @include "lib/ack-entry"
--- @include "lib/announce-task"
--- @include "lib/activity-entry-field"

local function requeue_activity_entry(tasks, heartbeats, execution, group, entry_id, schedule_event_id, redeliveries)
  local entries = redis.call('XRANGE', tasks, entry_id, entry_id)
  if #entries == 0 then
    redis.call('XACK', tasks, group, entry_id)
    return nil
  end
  local fields, old = {}, entries[1][2]
  for i = 1, #old, 2 do
    if old[i] == 'r' then
      redeliveries = redeliveries + tonumber(old[i + 1])
    else
      fields[#fields + 1] = old[i]
      fields[#fields + 1] = old[i + 1]
    end
  end
  if redeliveries > 0 then
    fields[#fields + 1] = 'r'
    fields[#fields + 1] = redeliveries
  end
  local new_id = redis.call('XADD', tasks, '*', unpack(fields))
  announce_task(tasks)
  ack_entry(tasks, group, entry_id)
  local details = redis.call('HGET', heartbeats, entry_id)
  if details then
    redis.call('HSET', heartbeats, new_id, details)
    redis.call('HDEL', heartbeats, entry_id)
  end
  local field = activity_entry_field(schedule_event_id)
  if redis.call('HGET', execution, field) == entry_id then
    redis.call('HSET', execution, field, new_id)
  end
  return new_id
end
