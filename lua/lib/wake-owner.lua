--[[
  Wake-ups for a partition's owner, whose timer loop and outbox relay otherwise look only now and then
  (TimerLoop, OutboxRelay): the timers zset's name and the outbox stream's name are also the pub/sub
  channels that announce them. PUBLISH is not a keyed command, so it runs in a Cluster script as well. It
  runs with pcall: an announcement is best effort (the loops also look on their own), and one refused (an
  ACL user without the channel) must not abort a script after its writes.

  wake_timers(timers, due_ms): call after adding timers; announces `due_ms` only when it is now the earliest
    due time of the zset. The loop reaches a later one on its own, after the earlier ones it waits for.
  wake_outbox(outbox): call after adding messages to the outbox.
]]
local function wake_timers(timers, due_ms)
  local first = redis.call('ZRANGE', timers, 0, 0, 'WITHSCORES')
  if first[2] ~= nil and tonumber(first[2]) >= due_ms then
    redis.pcall('PUBLISH', timers, due_ms)
  end
end

local function wake_outbox(outbox)
  redis.pcall('PUBLISH', outbox, '')
end
