--[[
  retryDeadLetterMessage: puts a parked outbox message back for delivery. Its outbox fields go to the end
  of the partition's outbox as a new entry (so a new message id: the parked one was never recorded as
  delivered), and the dead letter is removed. The relay then delivers it like any other message, with
  fresh attempts.

  KEYS[1] dead-letters stream of the partition
  KEYS[2] outbox stream of the partition
  ARGV[1] dead-letter entry id
  Returns: the new outbox entry id; false when there is no such dead letter (nothing written)
  Publishes: on the outbox's channel (lib/wake-owner)
  Errors: none
]]
--- @include "lib/wake-owner"

local dead_letters, outbox, id = KEYS[1], KEYS[2], ARGV[1]

local entry = redis.call('XRANGE', dead_letters, id, id)[1]
if not entry then
  return false
end
local fields = {}
local raw = entry[2]
for i = 1, #raw, 2 do
  if string.sub(raw[i], 1, 3) ~= 'dl:' then
    table.insert(fields, raw[i])
    table.insert(fields, raw[i + 1])
  end
end
local outbox_id = redis.call('XADD', outbox, '*', unpack(fields))
redis.call('XDEL', dead_letters, id)
wake_outbox(outbox)
return outbox_id
