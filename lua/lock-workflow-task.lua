--[[
  pollWorkflowTasks, the claim: locks the execution of a workflow-task entry that XREADGROUP or
  XAUTOCLAIM just handed to this worker, and returns what the worker needs to run it. The entry stays
  in the consumer's pending list until completion; its idle time is the stream-level lease.

  KEYS[1] execution hash
  KEYS[2] inbox stream
  KEYS[3] history list
  KEYS[4] workflow-task stream
  ARGV[1] entry id
  ARGV[2] consumer group
  ARGV[3] history length the caller already holds
  ARGV[4] lock timeout (ms)
  ARGV[5] most inbox events to return (0 = all); the rest wait for the next task
  ARGV[6] consumer the entry was delivered to
  Returns: nil when there is nothing to run: the entry is no longer pending for this consumer (another
           worker reclaimed or completed it meanwhile; nothing is touched), the execution is missing or no
           longer active, its inbox is empty, or another worker holds its lease (the entry is then
           removed, unless it is that holder's own entry, handed out early, which stays pending).
           Otherwise { lockToken, historyLength, { inboxId1, blob1, inboxId2, blob2, ... },
           { history blobs after the caller's length } }; the history part is empty when the caller
           holds more than historyLength.
  Errors: none
]]
--- @include "lib/now-ms"
--- @include "lib/ack-entry"

local execution, inbox, history, stream = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local entry_id, group = ARGV[1], ARGV[2]

-- A lock must be backed by a pending entry, or nobody could reclaim it if this worker died.
local delivery = redis.call('XPENDING', stream, group, entry_id, entry_id, 1)[1]
if delivery == nil or delivery[2] ~= ARGV[6] then
  return nil
end

local f = redis.call('HMGET', execution, 'state', 'lockedUntil', 'lockEntry', 'historyLength')
if f[1] == false then
  ack_entry(stream, group, entry_id)
  return nil
end
if f[1] ~= 'active' then
  redis.call('HSET', execution, 'queued', 0)
  ack_entry(stream, group, entry_id)
  return nil
end

local now = now_ms()
local locked_until = tonumber(f[2]) or 0
if locked_until > now then
  if f[3] == entry_id then
    return nil
  end
  -- Clearing `queued` may leave a spare entry behind, which the next claim drops; the reverse would
  -- leave an execution that no event can wake.
  redis.call('HSET', execution, 'queued', 0)
  ack_entry(stream, group, entry_id)
  return nil
end

local max = tonumber(ARGV[5])
local entries
if max > 0 then
  entries = redis.call('XRANGE', inbox, '-', '+', 'COUNT', max)
else
  entries = redis.call('XRANGE', inbox, '-', '+')
end
if #entries == 0 then
  -- An expired lock with nothing left to process is released, or later events could not wake it.
  redis.call('HSET', execution, 'queued', 0, 'lockedUntil', 0, 'lockEntry', '')
  ack_entry(stream, group, entry_id)
  return nil
end

-- The lease counts from the delivery, as the entry's idle time does, so that XAUTOCLAIM never hands
-- out an entry whose lease has not run out yet.
local token = redis.call('HINCRBY', execution, 'lockToken', 1)
local lease_end = now - delivery[3] + tonumber(ARGV[4])
redis.call('HSET', execution, 'lockedUntil', lease_end, 'lockEntry', entry_id, 'queued', 0)

local events = {}
for _, entry in ipairs(entries) do
  local fields = entry[2]
  for i = 1, #fields, 2 do
    if fields[i] == 'e' then
      events[#events + 1] = entry[1]
      events[#events + 1] = fields[i + 1]
    end
  end
end

local length = tonumber(f[4]) or 0
local known = tonumber(ARGV[3])
local tail = {}
if known < length then
  tail = redis.call('LRANGE', history, known, -1)
end
return { token, length, events, tail }
