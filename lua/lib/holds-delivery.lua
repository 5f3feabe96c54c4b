--[[
  True when stream entry `id` is pending in `group` and was delivered exactly `deliveries` times. The
  delivery count is the fencing token of a stream task: every delivery (XREADGROUP) and every reclaim
  (XCLAIM in reclaim-tasks) raises it, while the XCLAIM ... JUSTID of an extension keeps it, so a holder
  whose entry was handed out again, to whichever consumer, no longer matches. Which consumer the entry
  sits with does not matter: an extension moves it to the consumer named for its own lease.
]]
local function holds_delivery(stream, group, id, deliveries)
  local ok, pending = pcall(redis.call, 'XPENDING', stream, group, id, id, 1)
  return ok and #pending > 0 and pending[1][4] == tonumber(deliveries)
end
