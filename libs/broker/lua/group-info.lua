-- group-info.lua: a channel's consumer groups as they stand.
--
-- KEYS[1]  the channel's stream            <prefix>:{c:<channel>}:log
-- KEYS[2]  the channel's group settings    <prefix>:{c:<channel>}:groups (hash: group -> {"v","m"})
-- ARGV[1]  the dead-letter key prefix      <prefix>:{c:<channel>}:dead: (+ group; same slot)
-- ARGV[2]  one group's name, or '' for all of them
--
-- Reply: { { name, settings JSON, consumers, pending, last-delivered-id, lag (-1: unknown), dead }, ... }
-- Groups whose settings are missing (created by hand) are left out.

if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
local out = {}
for _, info in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local g = {}
  for i = 1, #info, 2 do g[info[i]] = info[i + 1] end
  local settings = redis.call('HGET', KEYS[2], g['name'])
  if settings and (ARGV[2] == '' or ARGV[2] == g['name']) then
    local lag = g['lag']
    if type(lag) ~= 'number' then lag = -1 end
    out[#out + 1] = { g['name'], settings, g['consumers'], g['pending'], g['last-delivered-id'], lag, redis.call('XLEN', ARGV[1] .. g['name']) }
  end
end
return out
