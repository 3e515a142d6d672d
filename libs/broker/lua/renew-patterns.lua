-- renew-patterns.lua: a connected device still follows these durable patterns.
--
-- KEYS[1]  the device's durable patterns   <prefix>:{d:<device>}:patterns (zset: pattern -> last seen ms)
-- KEYS[2…] the records of the patterns     <prefix>:{d:<device>}:pattern:<pattern>, one per ARGV[3…]
-- ARGV[1]  now, milliseconds (the membership clock)
-- ARGV[2]  membership idle limit, milliseconds
-- ARGV[3…] patterns
--
-- Reply: how many were renewed. Only records that exist are renewed (never recreated without a
-- floor); both keys' expiry moves to twice the idle limit from now.

local keep = 2 * tonumber(ARGV[2])
local renewed = 0
for i = 3, #ARGV do
  if redis.call('EXISTS', KEYS[i - 1]) == 1 then
    redis.call('ZADD', KEYS[1], 'XX', 'GT', ARGV[1], ARGV[i])
    redis.call('PEXPIRE', KEYS[i - 1], keep)
    renewed = renewed + 1
  end
end
if renewed > 0 then redis.call('PEXPIRE', KEYS[1], keep) end
return renewed
