--[[
  Wake-ups for the pollers of a task stream on a Redis Cluster, where a poller cannot block on every
  partition's streams with one command (StreamTaskReader): a stream's name is also the pub/sub channel that
  announces its new entries. On one Redis pollers block on all streams at once and nobody subscribes, so
  an announcement costs Redis one lookup of a channel without subscribers. Best effort (lib/announce).

  announce_task(stream): call after adding entries to a task stream.
]]
--- @include "lib/announce"

local function announce_task(stream)
  announce(stream, '')
end
