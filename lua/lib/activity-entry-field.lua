--[[
  The execution hash field naming the activity-task stream entry of a scheduled attempt that has not
  completed yet ('a<scheduleEventId>'), so that cancelling the attempt finds its entry. Written when the
  attempt is scheduled, moved along when a worker gives the task back (the task then gets a new entry id),
  removed when the attempt completes, is cancelled or times out.
]]
local function activity_entry_field(schedule_event_id)
  return 'a' .. schedule_event_id
end
