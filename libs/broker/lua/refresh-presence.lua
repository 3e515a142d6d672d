-- refresh-presence.lua: one node reports the devices it holds on a channel.
--
-- KEYS[1]  the channel's presence hash     <prefix>:{c:<channel>}:presence (field "<device> <node>")
-- ARGV[1]  node id
-- ARGV[2]  now, milliseconds
-- ARGV[3]  TTL, milliseconds: readers ignore entries older than this (the worker prunes them)
-- ARGV[4]  pub/sub channel of the live path, where joins are announced
-- ARGV[5…] device ids
--
-- Reply: the number of entries written. A value is "<since> <lastSeen>"; since is kept from the
-- entry's first report while the entry stays fresh. The whole hash expires after two TTLs
-- without any report, so a channel nobody holds any more cleans itself up. A device that was not
-- present through this node (no entry, or a stale one) is announced as
-- "presence\njoin\n<device>\n<node>\n".

local now = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
for i = 5, #ARGV do
  local field = ARGV[i] .. ' ' .. ARGV[1]
  local since = now
  local fresh = false
  local old = redis.call('HGET', KEYS[1], field)
  if old then
    local space = string.find(old, ' ', 1, true)
    local oldSince = tonumber(string.sub(old, 1, space - 1))
    local oldSeen = tonumber(string.sub(old, space + 1))
    fresh = now - oldSeen <= ttl
    if fresh then since = oldSince end
  end
  redis.call('HSET', KEYS[1], field, string.format('%d %d', since, now))
  if not fresh then redis.call('PUBLISH', ARGV[4], 'presence\njoin\n' .. ARGV[i] .. '\n' .. ARGV[1] .. '\n') end
end

redis.call('PEXPIRE', KEYS[1], ttl * 2)
return #ARGV - 4
