-- leave-presence.lua: devices left a node on a channel; announce each one that was present.
--
-- KEYS[1]  the channel's presence hash     <prefix>:{c:<channel>}:presence (field "<device> <node>")
-- ARGV[1]  node id
-- ARGV[2]  pub/sub channel of the live path
-- ARGV[3…] device ids
--
-- Reply: how many entries were removed; each is announced as "presence\nleave\n<device>\n<node>\n".

local removed = 0
for i = 3, #ARGV do
  if redis.call('HDEL', KEYS[1], ARGV[i] .. ' ' .. ARGV[1]) == 1 then
    removed = removed + 1
    redis.call('PUBLISH', ARGV[2], 'presence\nleave\n' .. ARGV[i] .. '\n' .. ARGV[1] .. '\n')
  end
end
return removed
