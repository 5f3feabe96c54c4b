--[[
  holdWorkflowTask: a claimed workflow task failed for a reason outside the workflow code (data it cannot
  decode, an engine error, workflow code waiting on something the engine does not control). Nothing of
  it is committed: the lock is given up, its entry removed, and the hold recorded on the execution, with
  `held` = 1 so that no event queues a task meanwhile (lib/wake-workflow, lib/lock-execution). The n-th
  hold of a run (attempts n, counted until a commit or retry-held-workflow-instance clears the hold) puts
  a retry timer in the timers zset, due min(first * coefficient^(n-1), max) ms from now; the timer loop
  then clears `held` and queues the task (fire-timers.lua). The hold that reaches the most attempts
  parks the execution instead: no timer, `holdRetryAt` 0, until an operator retries it.

  KEYS[1] execution hash
  KEYS[2] workflow-task stream
  KEYS[3] timers zset
  KEYS[4] the execution's set of pending timers
  KEYS[5] held index zset
  ARGV[1] lock token
  ARGV[2] workflow-task entry id
  ARGV[3] consumer group
  ARGV[4] execution id
  ARGV[5] the execution's index member (`<iid>\n<eid>`)
  ARGV[6] the timers member of its retry (schedule event id 0, see timer-member.ts)
  ARGV[7] reason
  ARGV[8] error type
  ARGV[9] error message
  ARGV[10] first retry interval (ms)
  ARGV[11] backoff coefficient
  ARGV[12] most retry interval (ms)
  ARGV[13] most attempts: the hold that reaches it parks
  Returns: { attempts, since (ms, the run's first hold), retryAt (ms; 0 = parked) }
  Publishes: on the timers zset's channel when the retry is the earliest timer (lib/wake-owner)
  Errors: LEASE_LOST <execution id> when the token is not the current one or the lock was released
]]
--- @include "lib/errors"
--- @include "lib/now-ms"
--- @include "lib/ack-entry"
--- @include "lib/holds-lease"
--- @include "lib/wake-owner"

local execution, stream, timers, execution_timers, held = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
if not holds_lease(execution, ARGV[1]) then
  return fail(ERR.LEASE_LOST, ARGV[4])
end

local now = now_ms()
local f = redis.call('HMGET', execution, 'holdAttempts', 'holdSince', 'holdReason')
-- Attempts count holds of one reason: holds for another (a worker without the workflow, which never parks)
-- must not use up the attempts of this one.
local attempts = 1
if f[3] == ARGV[7] then
  attempts = (tonumber(f[1]) or 0) + 1
end
local since = tonumber(f[2]) or now
local retry_at = 0
if attempts < tonumber(ARGV[13]) then
  local delay = math.min(tonumber(ARGV[10]) * tonumber(ARGV[11]) ^ (attempts - 1), tonumber(ARGV[12]))
  retry_at = now + math.ceil(delay)
  redis.call('ZADD', timers, retry_at, ARGV[6])
  redis.call('SADD', execution_timers, ARGV[6])
  wake_timers(timers, retry_at)
end
redis.call('HSET', execution, 'lockedUntil', 0, 'lockEntry', '', 'held', 1, 'holdReason', ARGV[7],
  'holdErrorType', ARGV[8], 'holdErrorMessage', ARGV[9], 'holdSince', since, 'holdAttempts', attempts,
  'holdRetryAt', retry_at)
ack_entry(stream, ARGV[3], ARGV[2])
redis.call('ZADD', held, since, ARGV[5])
return { attempts, since, retry_at }
