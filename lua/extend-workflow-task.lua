--[[
  extendWorkflowTask: renews the lease of a running workflow task for the lock timeout the caller asks
  for, in both places it is kept: the execution's lock (lockedUntil) and the group's pending list, where
  the entry moves to the caller's consumer named for that lock timeout with its idle time reset (what
  reclaim-tasks reads). The fencing token is checked first, so it never takes a task back from a worker
  that took it over.

  KEYS[1] execution hash
  KEYS[2] workflow-task stream
  ARGV[1] lock token
  ARGV[2] workflow-task entry id
  ARGV[3] consumer group
  ARGV[4] consumer named for the lease to grant (`<name>~<ARGV[5]>`)
  ARGV[5] lock timeout (ms), counted from now
  ARGV[6] execution id (for the error message)
  Returns: the new lease expiry (ms)
  Errors: LEASE_LOST <execution id> when the token is not the current one or the lock was released
]]
--- @include "lib/errors"
--- @include "lib/now-ms"
--- @include "lib/holds-lease"

if not holds_lease(KEYS[1], ARGV[1]) then
  return fail(ERR.LEASE_LOST, ARGV[6])
end
local until_ms = now_ms() + tonumber(ARGV[5])
redis.call('HSET', KEYS[1], 'lockedUntil', until_ms)
redis.call('XCLAIM', KEYS[2], ARGV[3], ARGV[4], 0, ARGV[2], 'JUSTID')
return until_ms
