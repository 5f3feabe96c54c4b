--[[
  Reclaim, for both task kinds: claims for the caller the pending entries of a task stream whose holder
  stopped renewing them for the holder's own lease, scanning the group's pending list from a cursor.

  Where a lease is kept: every claim, hand-over or extension leaves the entry with a consumer named for
  the lease it granted (`<name>~<lock timeout ms>`) and resets its idle time, so the lease of a pending
  entry ends when its idle time reaches the lock timeout in its consumer's name. The caller's own lock
  timeout plays no part: a worker with a short lease never takes a task from a holder with a long one
  that keeps extending it, and a task whose holder died is taken once that holder's lease has run out.

  KEYS[1] task stream
  ARGV[1] consumer group
  ARGV[2] consumer to claim for (named for the caller's lease)
  ARGV[3] cursor: the scan goes on after this entry id ('0-0' = from the start)
  ARGV[4] most entries to claim
  ARGV[5] most pending entries to look at
  ARGV[6] lease (ms) of an entry whose consumer name carries none
  Returns: { next cursor ('0-0' once the scan has reached the end), ms until the soonest running lease
           it saw ends (-1 when it saw none), { entry id, { field, value, ... }, delivery count, ... } }.
           Each claimed entry's delivery count (its fencing token) went up by one; a pending entry no
           longer in the stream is acknowledged and skipped.
  Errors: NOGROUP when the stream or its group does not exist
]]

local stream, group, consumer, cursor = KEYS[1], ARGV[1], ARGV[2], ARGV[3]
local wanted, scan, fallback_ms = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])

local start = '-'
if cursor ~= '0-0' then
  start = '(' .. cursor
end
local pending = redis.call('XPENDING', stream, group, start, '+', scan)

local claimed, count, soonest, inspected = {}, 0, -1, 0
for _, p in ipairs(pending) do
  if count >= wanted then
    break
  end
  inspected = inspected + 1
  local id, holder, idle_ms, deliveries = p[1], p[2], p[3], p[4]
  local left_ms = (tonumber(string.match(holder, '~(%d+)$')) or fallback_ms) - idle_ms
  if left_ms <= 0 then
    local entry = redis.call('XCLAIM', stream, group, consumer, 0, id)[1]
    if entry and entry[2] then
      claimed[#claimed + 1] = id
      claimed[#claimed + 1] = entry[2]
      claimed[#claimed + 1] = deliveries + 1
      count = count + 1
    else
      redis.call('XACK', stream, group, id)
    end
  elseif soonest < 0 or left_ms < soonest then
    soonest = left_ms
  end
end

-- The scan goes on after the last entry looked at, unless it looked at every entry there is.
local next_cursor = '0-0'
if inspected > 0 and (inspected < #pending or #pending == scan) then
  next_cursor = pending[inspected][1]
end
return { next_cursor, soonest, claimed }
