--[[
  releaseActivityTask: gives a claimed activity task back for another worker to take at once. Stream
  entries cannot be un-delivered, so the task moves to a fresh entry (with its heartbeat details) and
  the old one is removed; the execution hash's record of the attempt's entry follows it, so that a
  cancellation can still find the task.

  KEYS[1] activity-task stream
  KEYS[2] heartbeats hash
  KEYS[3] execution hash of the workflow that scheduled the attempt
  ARGV[1] activity-task entry id
  ARGV[2] consumer group
  ARGV[3] consumer
  ARGV[4] delivery count the caller claimed the entry with (its fencing token)
  ARGV[5] schedule event id of the attempt
  Returns: the new entry id, or nil when the caller no longer holds the entry (nothing changed)
  Errors: none
]]
--- @include "lib/ack-entry"
--- @include "lib/is-pending-for"
--- @include "lib/activity-entry-field"

local tasks, heartbeats, execution, entry_id, group = KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2]
if not is_pending_for(tasks, group, entry_id, ARGV[3], ARGV[4]) then
  return nil
end
local entries = redis.call('XRANGE', tasks, entry_id, entry_id)
if #entries == 0 then
  redis.call('XACK', tasks, group, entry_id)
  return nil
end
local new_id = redis.call('XADD', tasks, '*', unpack(entries[1][2]))
ack_entry(tasks, group, entry_id)
local details = redis.call('HGET', heartbeats, entry_id)
if details then
  redis.call('HSET', heartbeats, new_id, details)
  redis.call('HDEL', heartbeats, entry_id)
end
local field = activity_entry_field(ARGV[5])
if redis.call('HGET', execution, field) == entry_id then
  redis.call('HSET', execution, field, new_id)
end
return new_id
