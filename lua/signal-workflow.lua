--[[
  signalWorkflow: appends a SignalReceived event to the inbox of the instance id's active execution and
  wakes it. The caller read which execution that is before the call (the keys depend on it); the script
  checks that it still is, and writes nothing otherwise, so the caller can read again and retry. A
  signal can therefore never land in an execution that stopped being the active one.

  KEYS[1] instance hash
  KEYS[2] execution hash of the execution the caller found active
  KEYS[3] its inbox list
  KEYS[4] its workflow-task stream
  ARGV[1] instance id
  ARGV[2] execution id the caller found active
  ARGV[3] SignalReceived event blob
  Returns: 1 when delivered; 0 when that execution is no longer the active one (nothing written)
  Errors: none
]]
--- @include "lib/deliver-event"

local f = redis.call('HMGET', KEYS[1], 'executionId', 'state')
if f[1] ~= ARGV[2] or f[2] ~= 'active' then
  return 0
end
if deliver_event(KEYS[2], KEYS[3], KEYS[4], ARGV[1], ARGV[2], ARGV[3], 'SignalReceived') then
  return 1
end
return 0
