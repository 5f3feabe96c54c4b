--[[
  Outbox relay: takes or renews the lease that makes one relay at a time the reader of a partition's
  outbox, so its messages are delivered in the order they were written (a child's start before a
  signal or a cancellation sent to it later).

  KEYS[1] relay lease key of the partition
  ARGV[1] the relay's name (its consumer name)
  ARGV[2] lease duration (ms)
  Returns: 1 when the caller holds the lease now (taken or renewed); 0 when another relay holds it
  Errors: none
]]

local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
