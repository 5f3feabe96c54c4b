--[[
  Removes a stream entry for good: out of the consumer group's pending list and out of the stream.
]]
local function ack_entry(stream, group, id)
  redis.call('XACK', stream, group, id)
  redis.call('XDEL', stream, id)
end
