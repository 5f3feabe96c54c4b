--[[
  The partition's chains index: a sorted set whose members (all scored 0, so ordered by member) name
  every ended execution with the continue-as-new chain it belongs to, `<iid>\n<eid>\n<chain>`. A chain
  is named by the id of its first execution. One lex range over `<iid>\n` finds every ended execution
  of an instance id; ids hold no control characters, so '\11' (the byte after '\n') closes the range.
]]
local function chain_entry(instance_id, execution_id, chain)
  return instance_id .. '\n' .. execution_id .. '\n' .. chain
end

-- The entries whose members start with `prefix` .. '\n'.
local function chain_entries(chains, prefix)
  return redis.call('ZRANGE', chains, '[' .. prefix .. '\n', '(' .. prefix .. '\11', 'BYLEX')
end

-- The chain of one ended execution, or nil when the index does not name it.
local function chain_of(chains, instance_id, execution_id)
  local entry = chain_entries(chains, instance_id .. '\n' .. execution_id)[1]
  if entry then
    return string.sub(entry, #instance_id + #execution_id + 3)
  end
  return nil
end

-- The ids of the ended executions of `chain`.
local function chain_members(chains, instance_id, chain)
  local members = {}
  for _, entry in ipairs(chain_entries(chains, instance_id)) do
    local rest = string.sub(entry, #instance_id + 2)
    local at = string.find(rest, '\n', 1, true)
    if at and string.sub(rest, at + 1) == chain then
      members[#members + 1] = string.sub(rest, 1, at - 1)
    end
  end
  return members
end

-- Drops the entry of one execution (`member` is its index member, `<iid>\n<eid>`).
local function drop_chain_entry(chains, member)
  for _, entry in ipairs(chain_entries(chains, member)) do
    redis.call('ZREM', chains, entry)
  end
end
