--[[
  The member naming an execution in the partition's indexes (instances, active, finished, expiring).
  Ids never contain control characters, so the newline cannot be ambiguous.
]]
local function index_member(instance_id, execution_id)
  return instance_id .. '\n' .. execution_id
end
