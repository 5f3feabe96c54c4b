--[[
  close(): deletes this worker's consumer from a task stream's group, but only when nothing is pending
  for it: XGROUP DELCONSUMER would drop pending entries, and those must stay reclaimable.

  KEYS[1] task stream
  ARGV[1] consumer group
  ARGV[2] consumer
  Returns: 1 when the consumer was deleted, 0 when it was kept (or the group does not exist)
  Errors: none
]]

local ok, pending = pcall(redis.call, 'XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2])
if not ok or #pending > 0 then
  return 0
end
redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
return 1
