-- group-put.lua: create a consumer group on a channel's log, or update an existing one's settings.
--
-- KEYS[1]  the channel's stream            <prefix>:{c:<channel>}:log
-- KEYS[2]  the channel's group settings    <prefix>:{c:<channel>}:groups (hash: group -> settings JSON)
-- ARGV[1]  group name
-- ARGV[2]  where a new group starts: '$' (what is published from now), '0' (everything kept) or an id
-- ARGV[3]  settings JSON {"v": visibility ms, "m": max deliveries}
--
-- Reply: 1 when the group was created, 0 when it existed (its position and pending events stay).
-- The stream is created empty when the channel has none yet (MKSTREAM), and the pruner keeps a
-- stream that has groups, so a group never loses its position to pruning.

local exists = false
if redis.call('EXISTS', KEYS[1]) == 1 then
  for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
    for i = 1, #group, 2 do
      if group[i] == 'name' and group[i + 1] == ARGV[1] then exists = true end
    end
  end
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
if exists then return 0 end
redis.call('XGROUP', 'CREATE', KEYS[1], ARGV[1], ARGV[2], 'MKSTREAM')
return 1
