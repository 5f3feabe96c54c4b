--[[
  Wake-ups for a partition's owner, whose timer loop and outbox relay otherwise look only now and then
  (TimerLoop, OutboxRelay): the timers zset's name and the outbox stream's name are also the pub/sub
  channels that announce them. Best effort (lib/announce): the loops also look on their own.

  wake_timers(timers, due_ms): call after adding timers; announces `due_ms` only when it is now the earliest
    due time of the zset. The loop reaches a later one on its own, after the earlier ones it waits for.
  wake_outbox(outbox): call after adding messages to the outbox.
]]
--- @include "lib/announce"

local function wake_timers(timers, due_ms)
  local first = redis.call('ZRANGE', timers, 0, 0, 'WITHSCORES')
  if first[2] ~= nil and tonumber(first[2]) >= due_ms then
    announce(timers, due_ms)
  end
end

local function wake_outbox(outbox)
  announce(outbox, '')
end
