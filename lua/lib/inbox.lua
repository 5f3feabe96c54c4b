--[[
  An execution's inbox: a list of the events it has not processed yet, oldest first, each entry
  `<event type>\n<encoded event>`. The type travels in front of the blob because Lua cannot look inside
  the blob, and continue-as-new must pick the signals and cancellation requests out of an inbox. A list
  rather than a stream: a stream's first node alone takes kilobytes, and every execution that waits on
  an unprocessed event would keep one. Only a workflow task's commit removes entries, from the front,
  under the execution's lock; an empty list is no key at all.
]]

local function push_inbox(inbox, event_type, blob)
  redis.call('RPUSH', inbox, event_type .. '\n' .. blob)
end

-- The event type and the encoded event of an inbox entry.
local function split_inbox_entry(entry)
  local at = string.find(entry, '\n', 1, true)
  return string.sub(entry, 1, at - 1), string.sub(entry, at + 1)
end
