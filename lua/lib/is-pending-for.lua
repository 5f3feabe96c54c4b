--[[
  True when stream entry `id` sits in `consumer`'s pending list of `group` and was delivered exactly
  `deliveries` times. The delivery count is the fencing token of a stream task: every XREADGROUP or
  XAUTOCLAIM hands the entry out with a higher count, while the XCLAIM ... JUSTID of an extension
  keeps it, so a holder whose entry was reclaimed, even by its own consumer, no longer matches.
]]
local function is_pending_for(stream, group, id, consumer, deliveries)
  local ok, pending = pcall(redis.call, 'XPENDING', stream, group, id, id, 1, consumer)
  return ok and #pending > 0 and pending[1][4] == tonumber(deliveries)
end
