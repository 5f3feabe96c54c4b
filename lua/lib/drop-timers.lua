--[[
  Removes the given members from the partition's timers zset and from the execution's set of pending
  timers (empty strings are skipped): the activity deadlines of an attempt that completed, was given
  back or timed out, which must not fire later.
]]
local function drop_timers(timers, execution_timers, members)
  for _, member in ipairs(members) do
    if member ~= '' then
      redis.call('ZREM', timers, member)
      redis.call('SREM', execution_timers, member)
    end
  end
end
