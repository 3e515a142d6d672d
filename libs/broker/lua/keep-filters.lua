-- keep-filters.lua: a persistent MQTT session subscribed to these topic filters (ADR 16).
--
-- KEYS[1]  the session's kept filters   <prefix>:{d:<device>}:mqtt-filters (hash: filter -> granted QoS)
-- ARGV[1]  most filters one session may keep
-- ARGV[2]  how long the session outlives its last renewal, milliseconds (twice the membership idle limit)
-- ARGV[3…] filter, QoS, filter, QoS, …
--
-- Reply: 1 when kept (filters already kept take their new QoS), 0 when the session would keep
-- more than ARGV[1] filters; then nothing changes.

local new = 0
for i = 3, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 0 then new = new + 1 end
end
if redis.call('HLEN', KEYS[1]) + new > tonumber(ARGV[1]) then return 0 end
for i = 3, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
