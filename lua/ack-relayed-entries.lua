--[[
  Outbox relay: acknowledges and deletes the outbox entries it delivered, in one round trip. An entry is
  only deleted with its acknowledgement: a relay that dies between delivering and this call leaves them
  pending, for the lease's next holder to deliver again (deliver-message.lua drops what it already has).

  KEYS[1] the partition's outbox stream
  ARGV[1] the relays' consumer group
  ARGV[2..] ids of the delivered entries
  Returns: the number of entries deleted
  Errors: none
]]

if #ARGV < 2 then
  return 0
end
redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
return redis.call('XDEL', KEYS[1], unpack(ARGV, 2))
