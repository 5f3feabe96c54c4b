--[[
  completeWorkflowTask, the checkpoint: commits everything a workflow task produced, atomically, if
  the caller still holds the execution's lease. Writes nothing when it is rejected.

  KEYS[1] execution hash
  KEYS[2] inbox list
  KEYS[3] history list
  KEYS[4] workflow-task stream
  KEYS[5] timers zset
  KEYS[6] instance hash
  KEYS[7] the execution's set of pending timers
  KEYS[8] instances index zset
  KEYS[9] active executions set
  KEYS[10] finished executions zset
  KEYS[11] expiring executions zset
  KEYS[12] activity queues set
  KEYS[13] workflow queues set
  KEYS[14] outbox stream
  KEYS[15] chains index zset
  KEYS[16] held index zset (a commit clears the execution's hold)
  KEYS[17..] activity-task streams, the heartbeats hash and the keys of other executions of this
             partition that the sections below name by their index into KEYS
  ARGV[1] the arguments below as one msgpack array A (src/backend/redis/packed-args.ts: numbers as
          decimal strings, so A holds what ARGV would):
  A[1] lock token
  A[2] workflow-task entry id
  A[3] consumer group
  A[4] inbox cursor: how many inbox entries, from the front, the task consumed ('' = none)
  A[5] history length the task started from
  A[6] state after the task: active | continued-as-new | finished
  A[7] instance id
  A[8] execution id
  A[9] channel to publish on when the execution ends
  A[10] message to publish
  A[11] retention (ms) of a finished chain's keys; 0 = keep them
  A[12] e = number of earlier executions of this execution's chain whose keys expire with it (given
       when it finishes with a retention), then e triples (execution id, KEYS indexes of its hash and
       its history list)
  then h = number of history event blobs, then the h blobs
  then t = number of timers to add, then t pairs (due score in ms, timers member)
  then c = number of timers to remove, then c timers members
  then q = number of activity queues, then q pairs (queue name, KEYS index of its stream)
  then a = number of activity tasks, then a triples (queue number 1..q, schedule event id, task blob)
  then x = number of activity attempts to cancel, then, if x > 0, the KEYS index of the partition's
       heartbeats hash and x triples (KEYS index of the attempt's activity-task stream, its schedule event
       id, the ActivityFailed blob this execution receives if no worker has claimed it)
  then n = 1 when the execution continues as new (else 0), then, if 1: KEYS indexes of the new
       execution's hash, inbox and workflow-task stream; its execution id, name, queue, createdAt (ms)
       and WorkflowExecutionStarted blob; s = number of events it inherits, then s pairs (event type,
       blob): SignalReceived and WorkflowExecutionCanceled
  then c = number of sub-workflows to start in this partition, then per child: KEYS indexes of its
       instance hash, execution hash, inbox and workflow-task stream; its instance id, execution id,
       name, queue, createdAt (ms), WorkflowExecutionStarted blob, and the SubWorkflowFailed blob this
       execution receives instead when the child's instance id is active already
  then m = number of outbox messages, then per message: f = number of fields, then f field/value pairs
  then u = number of sub-workflows of this partition asked to cancel, then per child: KEYS indexes of its
       instance hash, execution hash, inbox, history and execution-timers set; its instance id and
       execution id; the WorkflowExecutionCanceled and WorkflowExecutionFinished blobs that end it if it has
       not started, and the SubWorkflowFailed blob this execution then receives
  then d = number of events to deliver to other executions of this partition, then per event: KEYS
       indexes of its execution hash, inbox and workflow-task stream; instance id, execution id, event
       blob and event type. One for an ended execution is dropped, except a cancellation request for an
       execution that has continued as new: it goes to the outbox, for the relay to hand to the
       instance's active execution.
  then the hand-over: the consumer to claim activity tasks for, named for their lease (`<name>~<ms>`;
       '' = none), the most tasks to claim,
       k = number of activity queues to claim from, then k queue numbers (1..q, as above)
  Returns: the claimed activity tasks, flat: { queue number, entry id, task blob, ... } (empty without
           a hand-over)
  Publishes (lib/announce): on the timers zset's channel when a timer it adds is the earliest, on the
           outbox's when it writes to the outbox (lib/wake-owner), on a task stream's channel for each
           task it queues but does not claim itself (lib/announce-task), on the finished channel when an
           execution ends (lib/end-execution)
  Errors: LEASE_LOST <execution id> when the token is not the current one or the lock was released
          HISTORY_CONFLICT <execution id> when the history does not have the length the task started from
]]
--- @include "lib/errors"
--- @include "lib/inbox"
--- @include "lib/ack-entry"
--- @include "lib/holds-lease"
--- @include "lib/call-chunked"
--- @include "lib/queue-workflow-task"
--- @include "lib/end-execution"
--- @include "lib/create-execution"
--- @include "lib/deliver-event"
--- @include "lib/carry-over"
--- @include "lib/activity-entry-field"
--- @include "lib/cancel-unclaimed-activity"
--- @include "lib/end-before-start"
--- @include "lib/clear-hold"
--- @include "lib/index-member"
--- @include "lib/wake-owner"
--- @include "lib/announce-task"

local A = cmsgpack.unpack(ARGV[1])

local execution, inbox, history, stream, timers, instance = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local execution_timers = KEYS[7]
local token, entry_id, group, cursor = A[1], A[2], A[3], A[4]
local state, instance_id, execution_id = A[6], A[7], A[8]

if not holds_lease(execution, token) then
  return fail(ERR.LEASE_LOST, execution_id)
end
-- holdAttempts is there exactly while the execution has a hold record: most commits have none to clear.
local seen = redis.call('HMGET', execution, 'historyLength', 'holdAttempts')
if seen[1] ~= A[5] then
  return fail(ERR.HISTORY_CONFLICT, execution_id)
end
if seen[2] then
  clear_hold(execution, KEYS[16], index_member(instance_id, execution_id))
end

local at = 12
local earlier = {}
local count = tonumber(A[at])
for i = 1, count do
  local e = at + 3 * (i - 1)
  earlier[i] = { execution_id = A[e + 1], execution = KEYS[tonumber(A[e + 2])],
                 history = KEYS[tonumber(A[e + 3])] }
end
at = at + 1 + 3 * count

count = tonumber(A[at])
if count > 0 then
  call_chunked('RPUSH', history, A, at + 1, at + count)
  redis.call('HINCRBY', execution, 'historyLength', count)
end
at = at + 1 + count

if cursor ~= '' then
  redis.call('LTRIM', inbox, tonumber(cursor), -1)
end

count = tonumber(A[at])
local earliest_due
for i = 1, count do
  local due = tonumber(A[at + 2 * i - 1])
  redis.call('ZADD', timers, due, A[at + 2 * i])
  redis.call('SADD', execution_timers, A[at + 2 * i])
  if earliest_due == nil or due < earliest_due then
    earliest_due = due
  end
end
at = at + 1 + 2 * count

count = tonumber(A[at])
for i = 1, count do
  redis.call('ZREM', timers, A[at + i])
  redis.call('SREM', execution_timers, A[at + i])
end
at = at + 1 + count

local activity_streams = {}
count = tonumber(A[at])
for i = 1, count do
  redis.call('SADD', KEYS[12], A[at + 2 * i - 1])
  activity_streams[i] = KEYS[tonumber(A[at + 2 * i])]
end
at = at + 1 + 2 * count

-- Releasing the lock also records where each new activity task sits, so that cancelling it can find it.
local unlocked = { 'lockedUntil', 0, 'lockEntry', '' }
count = tonumber(A[at])
local added_to = {}
for i = 1, count do
  local a = at + 3 * (i - 1)
  local queue = tonumber(A[a + 1])
  local task_id = redis.call('XADD', activity_streams[queue], '*', 't', A[a + 3])
  unlocked[#unlocked + 1] = activity_entry_field(A[a + 2])
  unlocked[#unlocked + 1] = task_id
  added_to[queue] = true
end
-- Also when the hand-over below takes them: it may take older entries instead.
for queue in pairs(added_to) do
  announce_task(activity_streams[queue])
end
at = at + 1 + 3 * count

-- ---- Activity attempts whose scope was cancelled --------------------------------------------------------
-- One that no worker has claimed is removed before it runs, and this execution hears so in its next task
-- (not if it has just ended); one already claimed runs to its end and answers with its own outcome.
count = tonumber(A[at])
if count > 0 then
  local heartbeats = KEYS[tonumber(A[at + 1])]
  for i = 1, count do
    local x = at + 1 + 3 * (i - 1)
    if cancel_unclaimed_activity(execution, KEYS[tonumber(A[x + 1])], heartbeats, group, A[x + 2])
        and state == 'active' then
      push_inbox(inbox, 'ActivityFailed', A[x + 3])
    end
  end
  at = at + 2 + 3 * count
else
  at = at + 1
end
-- ---------------------------------------------------------------------------------------------------------

call_chunked('HSET', execution, unlocked, 1, #unlocked)
ack_entry(stream, group, entry_id)

local function key(i)
  return KEYS[tonumber(A[i])]
end

-- Continue-as-new: the new execution inherits what the old one carries over (unconsumed signals, then the
-- signals and cancellation requests its last task did not apply), then those that arrived while that task
-- ran (still in the inbox after the cursor), which must be read before ending the old execution deletes
-- its inbox. The other events left there answer the old execution's commands and end with it.
local continuation = tonumber(A[at]) == 1
local next_execution, inherited = nil, {}
if continuation then
  next_execution = {
    keys = { instance = instance, execution = key(at + 1), inbox = key(at + 2), stream = key(at + 3),
             instances = KEYS[8], active = KEYS[9], workflow_queues = KEYS[13] },
    args = { instance_id = instance_id, execution_id = A[at + 4], name = A[at + 5], queue = A[at + 6],
             created_at = A[at + 7], started = A[at + 8],
             chain = redis.call('HGET', execution, 'chain') or execution_id },
  }
  count = tonumber(A[at + 9])
  for i = 1, count do
    inherited[#inherited + 1] = { A[at + 8 + 2 * i], A[at + 9 + 2 * i] }
  end
  for _, entry in ipairs(redis.call('LRANGE', inbox, 0, -1)) do
    local event_type, blob = split_inbox_entry(entry)
    if CARRIED_OVER[event_type] then
      inherited[#inherited + 1] = { event_type, blob }
    end
  end
  at = at + 10 + 2 * count
else
  at = at + 1
end

if state ~= 'active' then
  end_execution(
    { instance = instance, execution = execution, inbox = inbox, history = history,
      execution_timers = execution_timers, timers = timers, instances = KEYS[8], active = KEYS[9],
      finished = KEYS[10], expiring = KEYS[11], chains = KEYS[15] },
    { instance_id = instance_id, execution_id = execution_id, state = state,
      retention_ms = tonumber(A[11]), channel = A[9], message = A[10], earlier = earlier })
end
if next_execution then
  create_execution(next_execution.keys, next_execution.args)
  for _, event in ipairs(inherited) do
    push_inbox(next_execution.keys.inbox, event[1], event[2])
  end
end

-- Sub-workflows in this partition start here and now; an active instance id answers with a failure
-- in this execution's own inbox (dropped if it has just ended). An execution id that exists already
-- was started before: nothing to do.
count = tonumber(A[at])
for i = 1, count do
  local c = at + 11 * (i - 1)
  local child_instance, child_execution = key(c + 1), key(c + 2)
  if redis.call('HGET', child_instance, 'state') == 'active' then
    if state == 'active' then
      push_inbox(inbox, 'SubWorkflowFailed', A[c + 11])
    end
  elseif redis.call('EXISTS', child_execution) == 0 then
    create_execution(
      { instance = child_instance, execution = child_execution, inbox = key(c + 3), stream = key(c + 4),
        instances = KEYS[8], active = KEYS[9], workflow_queues = KEYS[13] },
      { instance_id = A[c + 5], execution_id = A[c + 6], name = A[c + 7], queue = A[c + 8],
        created_at = A[c + 9], started = A[c + 10] })
  end
end
at = at + 1 + 11 * count

count = tonumber(A[at])
local outbox_written = count > 0
at = at + 1
for _ = 1, count do
  local fields = tonumber(A[at])
  redis.call('XADD', KEYS[14], '*', unpack(A, at + 1, at + 2 * fields))
  at = at + 1 + 2 * fields
end

-- ---- Sub-workflows of this partition cancelled before they started --------------------------------------
-- A child that no worker has started ends here, cancelled, and never runs; this execution hears so in its
-- next task (not if it has just ended). The deliveries below then find it ended, while a started child
-- receives the cancellation request there.
count = tonumber(A[at])
for i = 1, count do
  local u = at + 10 * (i - 1)
  local child = { instance = key(u + 1), execution = key(u + 2), inbox = key(u + 3), history = key(u + 4),
                  execution_timers = key(u + 5), timers = timers, instances = KEYS[8], active = KEYS[9],
                  finished = KEYS[10], expiring = KEYS[11], chains = KEYS[15], held = KEYS[16] }
  local ended = end_before_start(child,
    { instance_id = A[u + 6], execution_id = A[u + 7], canceled = A[u + 8], finished = A[u + 9],
      retention_ms = tonumber(A[11]), channel = A[9] })
  if ended and state == 'active' then
    push_inbox(inbox, 'SubWorkflowFailed', A[u + 10])
  end
end
at = at + 1 + 10 * count
-- ---------------------------------------------------------------------------------------------------------

count = tonumber(A[at])
for i = 1, count do
  local d = at + 7 * (i - 1)
  local target, event_type = key(d + 1), A[d + 7]
  if not deliver_event(target, key(d + 2), key(d + 3), A[d + 4], A[d + 5], A[d + 6], event_type)
      and follows_continue_as_new(target, event_type) then
    -- The keys of the instance's active execution are not in KEYS, and it may move on again before the
    -- relay delivers: the relay reads it and retries until the script confirms it.
    redis.call('XADD', KEYS[14], '*', 'k', 'event', 'i', A[d + 4], 'e', A[d + 5], 'b', A[d + 6], 't', event_type)
    outbox_written = true
  end
end
at = at + 1 + 7 * count

if earliest_due ~= nil then
  wake_timers(timers, earliest_due)
end
if outbox_written then
  wake_outbox(KEYS[14])
end

if state == 'active' and redis.call('EXISTS', inbox) == 1 and redis.call('HGET', execution, 'queued') ~= '1' then
  queue_workflow_task(execution, stream, instance_id, execution_id)
end

-- Hand-over: activity tasks claimed for the caller straight away, saving it a read of the stream.
local handed = {}
local consumer, wanted = A[at], tonumber(A[at + 1])
count = tonumber(A[at + 2])
for i = 1, count do
  if wanted <= 0 then
    break
  end
  local queue = tonumber(A[at + 2 + i])
  -- pcall: a stream whose group does not exist yet hands nothing over, and must not abort the commit.
  local read = redis.pcall('XREADGROUP', 'GROUP', group, consumer, 'COUNT', wanted, 'STREAMS', activity_streams[queue], '>')
  if read and not read.err then
    for _, entry in ipairs(read[1][2]) do
      local fields = entry[2]
      for f = 1, #fields, 2 do
        if fields[f] == 't' then
          handed[#handed + 1] = queue
          handed[#handed + 1] = entry[1]
          handed[#handed + 1] = fields[f + 1]
        end
      end
      wanted = wanted - 1
    end
  end
end
return handed
