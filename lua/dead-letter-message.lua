--[[
  Outbox relay: parks an outbox entry whose delivery failed on its last allowed attempt. The entry moves
  to the partition's dead-letters stream with its fields and what went wrong, leaves the outbox (acked and
  deleted) and its backoff record goes; nothing in the partition waits behind it any more.

  KEYS[1] outbox stream of the partition
  KEYS[2] outbox-retries hash of the partition
  KEYS[3] dead-letters stream of the partition
  ARGV[1] consumer group of the outbox
  ARGV[2] outbox entry id
  ARGV[3] error type (the error's name)
  ARGV[4] error message
  ARGV[5] delivery attempts made
  Returns: the dead-letter entry id; false when the entry is no longer in the outbox (nothing written)
  Errors: none
]]
--- @include "lib/now-ms"
--- @include "lib/ack-entry"

local outbox, retries, dead_letters = KEYS[1], KEYS[2], KEYS[3]
local group, entry_id = ARGV[1], ARGV[2]

local entry = redis.call('XRANGE', outbox, entry_id, entry_id)[1]
if not entry then
  redis.call('HDEL', retries, entry_id)
  return false
end
local fields = entry[2]
table.insert(fields, 'dl:id')
table.insert(fields, entry_id)
table.insert(fields, 'dl:type')
table.insert(fields, ARGV[3])
table.insert(fields, 'dl:message')
table.insert(fields, ARGV[4])
table.insert(fields, 'dl:attempts')
table.insert(fields, ARGV[5])
table.insert(fields, 'dl:at')
table.insert(fields, tostring(now_ms()))
local id = redis.call('XADD', dead_letters, '*', unpack(fields))
ack_entry(outbox, group, entry_id)
redis.call('HDEL', retries, entry_id)
return id
