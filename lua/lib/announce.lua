--[[
  Publishes a wake-up on `channel`. Best effort: with pcall, so a refused announcement (an ACL user without
  the channel) never aborts a script after its writes; whoever listens also looks at the store on its own.

  On one Redis this is PUBLISH. On a Redis Cluster the loader swaps in SPUBLISH (the `@cluster` line below;
  lua-loader.ts): a sharded message stays on the shard that owns the channel's slot instead of crossing the
  cluster bus to every node. Every channel carries its partition's hash tag, so it hashes to the script's
  own slot, as SPUBLISH in a Cluster script requires.

  announce(channel, message)
]]
local ANNOUNCE_COMMAND = 'PUBLISH' --- @cluster local ANNOUNCE_COMMAND = 'SPUBLISH'

local function announce(channel, message)
  redis.pcall(ANNOUNCE_COMMAND, channel, message)
end
