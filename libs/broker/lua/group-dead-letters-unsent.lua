-- group-dead-letters-unsent.lua: the dead letters of a consumer group the webhook has not had yet.
--
-- KEYS[1]  the group's dead letters   <prefix>:{c:<channel>}:dead:<group> (stream)
-- ARGV[1]  how many letters at most
--
-- Reply: { letters, trimmed } where letters are { deadId, fields } and trimmed counts letters
-- the stream's own cap removed before they were sent (they are settled here, and counted).
--
-- The webhook's position is a consumer group ('webhook') on the dead-letter stream itself, so it
-- goes when the stream goes. Letters read and not yet confirmed (XACK after a 2xx) come back
-- first, so a failed POST is tried again with the same letters.

if redis.call('EXISTS', KEYS[1]) == 0 then return { {}, 0 } end
redis.pcall('XGROUP', 'CREATE', KEYS[1], 'webhook', '0')
local count = tonumber(ARGV[1])
local read = redis.call('XREADGROUP', 'GROUP', 'webhook', 'worker', 'COUNT', count, 'STREAMS', KEYS[1], '0')
local entries = read and read[1][2] or {}
if #entries == 0 then
  read = redis.call('XREADGROUP', 'GROUP', 'webhook', 'worker', 'COUNT', count, 'STREAMS', KEYS[1], '>')
  entries = read and read[1][2] or {}
end
local letters, trimmed = {}, 0
for _, entry in ipairs(entries) do
  if entry[2] then
    letters[#letters + 1] = entry
  else
    redis.call('XACK', KEYS[1], 'webhook', entry[1])
    trimmed = trimmed + 1
  end
end
return { letters, trimmed }
