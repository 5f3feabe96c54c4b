--[[
  True when consumer `name` keeps entries given back for later (`<name>~later~<delay ms>`, see
  defer-activity-task.lua): no worker holds them, though they stay pending until the delay ends.
]]
local function deferred_consumer(name)
  return string.find(name, '~later~%d+$') ~= nil
end
