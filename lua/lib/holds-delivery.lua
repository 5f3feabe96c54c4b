--[[
  True when stream entry `id` is pending in `group`, was delivered exactly `deliveries` times, and was not
  given back for later. The delivery count is the fencing token of a stream task: every delivery
  (XREADGROUP) and every reclaim (XCLAIM in reclaim-tasks) raises it, while the XCLAIM ... JUSTID of an
  extension keeps it, so a holder whose entry was handed out again, to whichever consumer, no longer
  matches. Which consumer the entry sits with does not matter (an extension moves it to the consumer named
  for its own lease), except a deferred one: defer-activity-task keeps the count, and this is what ends its
  caller's hold.
]]
--- @include "lib/deferred-consumer"
local function holds_delivery(stream, group, id, deliveries)
  local ok, pending = pcall(redis.call, 'XPENDING', stream, group, id, id, 1)
  return ok and #pending > 0 and pending[1][4] == tonumber(deliveries) and not deferred_consumer(pending[1][2])
end
