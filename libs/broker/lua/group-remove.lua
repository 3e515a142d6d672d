-- group-remove.lua: delete a consumer group with its pending events, settings and dead letters.
--
-- KEYS[1]  the channel's stream            <prefix>:{c:<channel>}:log
-- KEYS[2]  the channel's group settings    <prefix>:{c:<channel>}:groups
-- KEYS[3]  the group's dead letters        <prefix>:{c:<channel>}:dead:<group>
-- ARGV[1]  group name
--
-- Reply: 1 when there was such a group, 0 otherwise.

local existed = redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[3])
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('XGROUP', 'DESTROY', KEYS[1], ARGV[1]) == 1 then existed = 1 end
return existed
