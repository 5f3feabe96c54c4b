--[[
  Outbox relay: gives up a partition's relay lease on close(), so another relay takes over at once
  instead of after the lease ran out. A lease someone else holds by now is left alone.

  KEYS[1] relay lease key of the partition
  ARGV[1] the relay's name (its consumer name)
  Returns: 1 when the lease was released; 0 when the caller did not hold it
  Errors: none
]]

if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
