--[[
  Removes every pending timer of an execution from the partition's timers zset, and the execution's
  own set of them: an ended or removed execution must leave nothing behind that could fire.
]]
local function forget_timers(execution_timers, timers)
  for _, member in ipairs(redis.call('SMEMBERS', execution_timers)) do
    redis.call('ZREM', timers, member)
  end
  redis.call('DEL', execution_timers)
end
