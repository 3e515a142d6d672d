-- save-pattern-positions.lua: move a device's durable pattern record forward.
-- (parse and less, for stream ids, come from prelude.lua, which the loader prepends.)
--
-- KEYS[1]  the device's durable patterns   <prefix>:{d:<device>}:patterns (zset: pattern -> last seen ms)
-- KEYS[2]  the pattern's record            <prefix>:{d:<device>}:pattern:<pattern>
-- ARGV[1]  pattern
-- ARGV[2]  now, milliseconds (the membership clock)
-- ARGV[3]  membership idle limit, milliseconds
-- ARGV[4]  most channels one record keeps
-- ARGV[5…] pairs of channel, stream id
--
-- Reply: how many positions moved. A position never moves back (two connections of one device,
-- a late batch); a channel new to a full record is not added (it resumes from the floor: repeats,
-- never loss). A record that expired meanwhile is not brought back without its floor.

if redis.call('HEXISTS', KEYS[2], '~floor') == 0 then return 0 end
local keep = 2 * tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[1])
redis.call('PEXPIRE', KEYS[1], keep)
redis.call('PEXPIRE', KEYS[2], keep)

local room = tonumber(ARGV[4]) - (redis.call('HLEN', KEYS[2]) - 1)
local moved = 0
for i = 5, #ARGV, 2 do
  local old = redis.call('HGET', KEYS[2], ARGV[i])
  local write = false
  if old then
    local oms, oseq = parse(old)
    local nms, nseq = parse(ARGV[i + 1])
    write = nms > oms or (nms == oms and nseq > oseq)
  elseif room > 0 then
    write = true
    room = room - 1
  end
  if write then
    redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
    moved = moved + 1
  end
end
return moved
