--[[
  Forgets the hold of an execution (see hold-workflow-task.lua): its hold fields and its entry in the
  partition's held index. A pending retry timer may stay: firing it finds no hold and does nothing, and
  it goes with the execution's other timers when the execution ends. Nothing to do when it is not held.
]]
local function clear_hold(execution, held, member)
  redis.call('HDEL', execution, 'held', 'holdReason', 'holdErrorType', 'holdErrorMessage', 'holdSince',
    'holdAttempts', 'holdRetryAt')
  redis.call('ZREM', held, member)
end
