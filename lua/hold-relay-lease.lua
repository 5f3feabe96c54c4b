--[[
  Outbox relay: takes or renews the leases that make one relay at a time the reader of a partition's
  outbox, so its messages are delivered in the order they were written (a child's start before a
  signal or a cancellation sent to it later). One call serves every partition a relay owns on one Redis
  (on a Cluster, where each partition's keys have a slot of their own, one call per partition).

  KEYS[1] .. KEYS[n] relay lease key of each partition
  ARGV[1] the relay's name (its consumer name)
  ARGV[2] lease duration (ms)
  Returns: per key, in order: 2 when the caller held that lease and renewed it; 1 when it was free and the
           caller took it (another relay may have held it since the caller last did); 0 when another relay
           holds it
  Errors: none
]]

local held = {}
for i, lease in ipairs(KEYS) do
  local holder = redis.call('GET', lease)
  if holder and holder ~= ARGV[1] then
    held[i] = 0
  else
    redis.call('SET', lease, ARGV[1], 'PX', ARGV[2])
    held[i] = holder and 2 or 1
  end
end
return held
