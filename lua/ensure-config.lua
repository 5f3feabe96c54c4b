--[[
  ensureConfig: writes the prefix's config record when it is missing, all its fields at once, and
  returns it. Writing them together is what lets a reader tell a record of an older storage layout
  (no `layout` field) from one being written.

  KEYS[1] config hash (`<prefix>:config`)
  ARGV[1] partitions
  ARGV[2] a fresh random epoch, stored only with a new record
  ARGV[3] storage layout this backend writes
  Returns: { partitions, epoch, layout } as stored; layout is false for a record written before
           layouts were recorded
  Errors: none
]]
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'partitions', ARGV[1], 'epoch', ARGV[2], 'layout', ARGV[3])
end
return redis.call('HMGET', KEYS[1], 'partitions', 'epoch', 'layout')
