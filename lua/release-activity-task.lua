--[[
  releaseActivityTask: gives a claimed activity task back for another worker to take at once. Stream
  entries cannot be un-delivered, so the task moves to a fresh entry (with its heartbeat details) and
  the old one is removed.

  KEYS[1] activity-task stream
  KEYS[2] heartbeats hash
  ARGV[1] activity-task entry id
  ARGV[2] consumer group
  ARGV[3] consumer
  ARGV[4] delivery count the caller claimed the entry with (its fencing token)
  Returns: the new entry id, or nil when the caller no longer holds the entry (nothing changed)
  Errors: none
]]
--- @include "lib/ack-entry"
--- @include "lib/is-pending-for"

local tasks, heartbeats, entry_id, group = KEYS[1], KEYS[2], ARGV[1], ARGV[2]
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
return new_id
