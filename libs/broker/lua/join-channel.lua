-- join-channel.lua: a device (re)joins a channel and learns where it resumes, in one step.
-- (parse and less, for stream ids, come from prelude.lua, which the loader prepends.)
--
-- KEYS[1]  the channel's members           <prefix>:{c:<channel>}:members (zset: device -> last seen ms)
-- KEYS[2]  the channel's device positions  <prefix>:{c:<channel>}:positions (device -> last id written)
-- KEYS[3]  the channel's stream            <prefix>:{c:<channel>}:log
-- ARGV[1]  device id
-- ARGV[2]  now, milliseconds (the membership clock, as on every renewal)
-- ARGV[3]  membership idle limit, milliseconds
--
-- Reply: { position, lapsedFrom }
--   position    where the device resumes: its saved position while its membership is live, else
--               the channel's newest id now (a membership starts here, so every event appended
--               after this script is after it)
--   lapsedFrom  '' unless the membership had lapsed (not seen for the idle limit, but within twice
--               it) and events were appended after the old position: the device may have missed
--               (lapsedFrom, position], and is told so with a reset
--
-- A member not seen for twice the idle limit is forgotten, as the pruner would forget it.

local device = ARGV[1]
local now = tonumber(ARGV[2])
local idle = tonumber(ARGV[3])
local seen = tonumber(redis.call('ZSCORE', KEYS[1], device))
local position = redis.call('HGET', KEYS[2], device)
redis.call('ZADD', KEYS[1], 'GT', now, device)
-- Both keys go by themselves once no member was seen for twice the limit, when everyone is
-- forgotten anyway: a channel that never had an event is not in the pruner's directory.
redis.call('PEXPIRE', KEYS[1], 2 * idle)
if seen and position and seen >= now - idle then
  redis.call('PEXPIRE', KEYS[2], 2 * idle)
  return { position, '' }
end

local newest = '0-0'
if redis.call('EXISTS', KEYS[3]) == 1 then
  local info = redis.call('XINFO', 'STREAM', KEYS[3])
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then newest = info[i + 1] end
  end
end
redis.call('HSET', KEYS[2], device, newest)
redis.call('PEXPIRE', KEYS[2], 2 * idle)
if seen and position and seen >= now - 2 * idle and less(position, newest) then return { newest, position } end
return { newest, '' }
