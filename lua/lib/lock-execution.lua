--[[
  Locks the execution of a workflow-task entry that is pending for the calling consumer and returns
  what the worker needs to run it, or nil when there is nothing to run (the entry is then removed,
  unless another holder's lease is still running on this very entry). A held execution (`held` = 1, see
  hold-workflow-task.lua) has nothing to run until its retry: a spare entry must not bypass the backoff. `idle_ms` is the entry's idle
  time: the lease counts from the delivery, as reclaim-tasks does.
  Returns { lockToken, historyLength, { inbox entries (lib/inbox) }, { history blobs after `known` } }.
]]
--- @include "lib/now-ms"
--- @include "lib/ack-entry"

local function lock_execution(execution, inbox, history, stream, group, entry_id, idle_ms, known, lock_timeout_ms, max_events)
  local f = redis.call('HMGET', execution, 'state', 'lockedUntil', 'lockEntry', 'historyLength', 'held')
  if f[1] == false then
    ack_entry(stream, group, entry_id)
    return nil
  end
  if f[1] ~= 'active' or f[5] == '1' then
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

  local entries
  if max_events > 0 then
    entries = redis.call('LRANGE', inbox, 0, max_events - 1)
  else
    entries = redis.call('LRANGE', inbox, 0, -1)
  end
  if #entries == 0 then
    -- An expired lock with nothing left to process is released, or later events could not wake it.
    redis.call('HSET', execution, 'queued', 0, 'lockedUntil', 0, 'lockEntry', '')
    ack_entry(stream, group, entry_id)
    return nil
  end

  local token = redis.call('HINCRBY', execution, 'lockToken', 1)
  redis.call('HSET', execution, 'lockedUntil', now - idle_ms + lock_timeout_ms, 'lockEntry', entry_id, 'queued', 0)

  local length = tonumber(f[4]) or 0
  local tail = {}
  if known < length then
    tail = redis.call('LRANGE', history, known, -1)
  end
  return { token, length, entries, tail }
end
