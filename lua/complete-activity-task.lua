--[[
  completeActivityTask: removes an activity task and delivers its outcome event to the execution that
  scheduled it. The task's stream entry is the proof that no outcome was recorded yet: once it is gone,
  a second completion (a duplicate run after a lease expired, or a run that outlived its attempt's
  timeout) changes nothing. The attempt's activity deadlines go with it.

  With a consumer in ARGV[7], the workflow task this outcome wakes is handed to that consumer and locked
  at once (saving the worker a read and a claim), but only when no other workflow-task entry waits
  undelivered in the stream, so the hand-over never jumps the queue.

  KEYS[1] activity-task stream
  KEYS[2] execution hash
  KEYS[3] inbox list
  KEYS[4] workflow-task stream of the workflow's queue
  KEYS[5] heartbeats hash
  KEYS[6] history list
  KEYS[7] timers zset
  KEYS[8] the execution's set of pending timers
  ARGV[1] activity-task entry id
  ARGV[2] consumer group
  ARGV[3] ActivityCompleted or ActivityFailed event blob
  ARGV[4] instance id
  ARGV[5] execution id
  ARGV[6] event type (ActivityCompleted or ActivityFailed)
  ARGV[7] consumer to hand the woken workflow task to, named for its lease (`<name>~<ARGV[9]>`), or ''
           for none
  ARGV[8] history length that consumer already holds
  ARGV[9] lock timeout (ms) of a handed-over task
  ARGV[10] most inbox events to hand over (0 = all)
  ARGV[11] schedule event id of the attempt
  ARGV[12], ARGV[13], ARGV[14] the attempt's activity deadline members ('' for none)
  Returns: 1 when the event was delivered, 0 when the task was already completed (nothing changed),
           2 when the execution has ended (the task is removed, the event dropped), or, when the woken
           workflow task was handed over, { entryId, lockToken, historyLength, { inbox entries },
           { history blobs after ARGV[8] } }
  Errors: none
]]
--- @include "lib/ack-entry"
--- @include "lib/inbox"
--- @include "lib/deliver-event"
--- @include "lib/lock-execution"
--- @include "lib/activity-entry-field"
--- @include "lib/drop-timers"

local tasks, execution, inbox, stream, heartbeats, history = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local entry_id, group, consumer = ARGV[1], ARGV[2], ARGV[7]

if #redis.call('XRANGE', tasks, entry_id, entry_id) == 0 then
  return 0
end
ack_entry(tasks, group, entry_id)
redis.call('HDEL', heartbeats, entry_id)
redis.call('HDEL', execution, activity_entry_field(ARGV[11]))
drop_timers(KEYS[7], KEYS[8], { ARGV[12], ARGV[13], ARGV[14] })

-- True when the group has read every entry of the stream, so the next '>' read returns the next XADD.
local function nothing_undelivered()
  local groups = redis.pcall('XINFO', 'GROUPS', stream)
  if groups.err then
    return false
  end
  for _, fields in ipairs(groups) do
    local info = {}
    for i = 1, #fields, 2 do
      info[fields[i]] = fields[i + 1]
    end
    if info.name == group then
      return #redis.call('XRANGE', stream, '(' .. info['last-delivered-id'], '+', 'COUNT', 1) == 0
    end
  end
  return false
end

if consumer ~= '' then
  local f = redis.call('HMGET', execution, 'state', 'queued', 'lockedUntil', 'held')
  if f[1] == 'active' and is_idle(f[2], f[3], f[4]) and nothing_undelivered() then
    push_inbox(inbox, ARGV[6], ARGV[3])
    redis.call('XADD', stream, '*', 'i', ARGV[4], 'e', ARGV[5])
    local read = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', 1, 'STREAMS', stream, '>')
    local handed = read[1][2][1][1]
    local locked = lock_execution(execution, inbox, history, stream, group, handed, 0, tonumber(ARGV[8]),
      tonumber(ARGV[9]), tonumber(ARGV[10]))
    if locked == nil then
      return 1
    end
    return { handed, locked[1], locked[2], locked[3], locked[4] }
  end
end

if deliver_event(execution, inbox, stream, ARGV[4], ARGV[5], ARGV[3], ARGV[6]) then
  return 1
end
return 2
