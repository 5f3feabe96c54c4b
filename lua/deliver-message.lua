--[[
  Outbox relay: delivers one message that a workflow task wrote to its partition's outbox, on the
  target's partition, at most once: the message id is recorded in the partition's relayed set with the
  delivery, and a message found there is a duplicate (a relay died between this script and its ack, or
  two relays raced). Records older than the dedup window are dropped as new ones come in.

  Kinds: 'start' creates a sub-workflow's execution (or, if its instance id is active, answers
  SubWorkflowFailed); 'signal' appends SignalReceived to the instance's active execution and answers
  SignalDelivered (or SignalFailed when it has none); 'event' appends an event to one execution if it is
  active (cancellation requests, a child's outcome to its parent, answers). For an ended execution the
  event is dropped (late results of its own commands: its history is closed), except a cancellation
  request for an execution that has continued as new while its chain has an active execution: that
  one is for the instance, and the caller delivers it to the active execution instead. An answer goes
  straight to the sender's execution when it lives in this partition, else to this partition's outbox.

  A parent's cancellation request for its child (an 'event' with KEYS[13..19] and ARGV[17..19]) ends
  the child at once, cancelled, if no worker has started it, and answers the parent SubWorkflowFailed.
  The caller passes them only for the execution the parent started, never for one the request moved to.

  KEYS[1] relayed messages zset (message id -> delivery time, ms)
  KEYS[2] target instance hash
  KEYS[3] target execution hash
  KEYS[4] target inbox list
  KEYS[5] target workflow-task stream
  KEYS[6] instances index zset
  KEYS[7] active executions set
  KEYS[8] workflow queues set
  KEYS[9] outbox stream of this partition
  KEYS[10] sender's execution hash (when the answer is local, else any key of this partition)
  KEYS[11] sender's inbox list (likewise)
  KEYS[12] sender's workflow-task stream (likewise)
  KEYS[13] with a cancellation request for a child (only then KEYS[13..18]): the target's history list
  KEYS[14] likewise: the target's execution-timers set
  KEYS[15] likewise: the timers zset
  KEYS[16] likewise: the finished executions zset
  KEYS[17] likewise: the expiring executions zset
  KEYS[18] likewise: the chains index zset
  KEYS[19] likewise: the held index zset
  ARGV[1] message id
  ARGV[2] dedup window (ms)
  ARGV[3] kind: start | signal | event
  ARGV[4] target instance id
  ARGV[5] target execution id (signal: the one the caller found active, '' for none; event: the one the
          message names, or the instance's active one the caller found after a return of 2)
  ARGV[6] target queue (start)
  ARGV[7] event blob (start: WorkflowExecutionStarted)
  ARGV[8] event type (event)
  ARGV[9] workflow name (start)
  ARGV[10] createdAt, ms (start)
  ARGV[11] answer: '' none | local | outbox
  ARGV[12] sender instance id
  ARGV[13] sender execution id
  ARGV[14] sender queue
  ARGV[15] answer blob on success (signal: SignalDelivered)
  ARGV[16] answer blob on failure (start: SubWorkflowFailed, signal: SignalFailed, a cancellation
           request for a child: SubWorkflowFailed when it ended the child before it started)
  ARGV[17] with a cancellation request for a child (only then ARGV[17..19]): the WorkflowExecutionFinished
           blob that ends it
  ARGV[18] likewise: the channel to publish on when it ends
  ARGV[19] likewise: retention (ms) of its keys once ended; 0 = keep them
  Returns: 1 when delivered (or dropped because its target has ended); 0 when it was delivered before
           (nothing written); 2 when the signal's target execution is no longer the instance's active
           one, or the cancellation request's target has continued as new (nothing written: read the
           instance's active execution and retry with it)
  Publishes (lib/announce): on this partition's outbox channel when the answer goes to the outbox
           (lib/wake-owner), on a task stream's channel when it queues a workflow task (lib/announce-task),
           on the finished channel when it ends a child before it started (lib/end-execution)
  Errors: none
]]
--- @include "lib/now-ms"
--- @include "lib/create-execution"
--- @include "lib/deliver-event"
--- @include "lib/carry-over"
--- @include "lib/end-before-start"
--- @include "lib/wake-owner"

local relayed, instance, execution, inbox, stream = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local message_id, kind, instance_id, execution_id = ARGV[1], ARGV[3], ARGV[4], ARGV[5]

if redis.call('ZSCORE', relayed, message_id) then
  return 0
end

local function answer(blob, event_type)
  if ARGV[11] == 'local' then
    deliver_event(KEYS[10], KEYS[11], KEYS[12], ARGV[12], ARGV[13], blob, event_type)
  elseif ARGV[11] == 'outbox' then
    redis.call('XADD', KEYS[9], '*', 'k', 'event', 'i', ARGV[12], 'e', ARGV[13], 'q', ARGV[14],
      'b', blob, 't', event_type)
    wake_outbox(KEYS[9])
  end
end

-- ---- A sub-workflow cancelled before it started ----------------------------------------------------------
-- It ends here, cancelled, and never runs, and its parent hears so. The event below then finds it ended,
-- while a started child receives the cancellation request as usual.
if kind == 'event' and ARGV[17] ~= nil then
  local child = { instance = instance, execution = execution, inbox = inbox, history = KEYS[13],
                  execution_timers = KEYS[14], timers = KEYS[15], instances = KEYS[6], active = KEYS[7],
                  finished = KEYS[16], expiring = KEYS[17], chains = KEYS[18], held = KEYS[19] }
  if end_before_start(child, { instance_id = instance_id, execution_id = execution_id, canceled = ARGV[7],
      finished = ARGV[17], retention_ms = tonumber(ARGV[19]), channel = ARGV[18] }) then
    answer(ARGV[16], 'SubWorkflowFailed')
  end
end
-- ---------------------------------------------------------------------------------------------------------

if kind == 'start' then
  if redis.call('HGET', instance, 'state') == 'active' then
    answer(ARGV[16], 'SubWorkflowFailed')
  elseif redis.call('EXISTS', execution) == 0 then
    create_execution(
      { instance = instance, execution = execution, inbox = inbox, stream = stream, instances = KEYS[6],
        active = KEYS[7], workflow_queues = KEYS[8] },
      { instance_id = instance_id, execution_id = execution_id, name = ARGV[9], queue = ARGV[6],
        created_at = ARGV[10], started = ARGV[7] })
  end
elseif kind == 'signal' then
  local f = redis.call('HMGET', instance, 'executionId', 'state')
  if f[2] == 'active' then
    if f[1] ~= execution_id then
      return 2
    end
    if not deliver_event(execution, inbox, stream, instance_id, execution_id, ARGV[7], 'SignalReceived') then
      return 2
    end
    answer(ARGV[15], 'SignalDelivered')
  else
    answer(ARGV[16], 'SignalFailed')
  end
elseif not deliver_event(execution, inbox, stream, instance_id, execution_id, ARGV[7], ARGV[8])
    and follows_continue_as_new(execution, ARGV[8]) and redis.call('HGET', instance, 'state') == 'active'
    and redis.call('HGET', instance, 'chain') == redis.call('HGET', execution, 'chain') then
  -- Only the chain the request was for: a reused id runs another chain, which it must not cancel.
  return 2
end

local now = now_ms()
redis.call('ZADD', relayed, now, message_id)
redis.call('ZREMRANGEBYSCORE', relayed, '-inf', '(' .. (now - tonumber(ARGV[2])))
return 1
