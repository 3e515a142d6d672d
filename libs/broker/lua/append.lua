-- append.lua: append one event to a channel's stream, trim it, and wake the live path, atomically.
--
-- KEYS[1]  the channel's stream            <prefix>:{c:<channel>}:log
-- KEYS[2]  the idempotency key's record    <prefix>:{c:<channel>}:idem:<key> (same hash tag; untouched when ARGV[6] is '0')
-- KEYS[3]  the channel's metadata hash     <prefix>:{c:<channel>}:meta ('trimmed': newest id trimmed away;
--          'born': the first id since the stream last started)
-- KEYS[4]  the channel's members           <prefix>:{c:<channel>}:members (zset: device -> last seen ms)
-- KEYS[5]  the channel's open ack events   <prefix>:{c:<channel>}:acks (zset: id -> when the worker is due)
-- ARGV[1]  maximum length; trimmed once it is 1% over, so trimming costs O(1) per append on average
-- ARGV[2]  maximum age in milliseconds
-- ARGV[3]  event name
-- ARGV[4]  data, serialized JSON
-- ARGV[5]  idempotency record TTL in seconds
-- ARGV[6]  '1' when an idempotency key is given
-- ARGV[7]  pub/sub channel of the live path
-- ARGV[8]  '1' when the publisher asked for receipts
-- ARGV[9]  receipts key prefix             <prefix>:{c:<channel>}:rcpt: (the event's hash is this + id;
--          not in KEYS because the id is made here, but it shares the channel's hash tag and slot)
-- ARGV[10] membership idle limit in milliseconds (members not seen since are not expected)
-- ARGV[11] receipts TTL in seconds
--
-- Reply: { id, duplicate, expected } where duplicate is 1 when the idempotency key was already used
-- (id is then the original event's id and nothing is written) and expected counts the devices that
-- owe a receipt (ack events only).
--
-- The live message is "<id>\n<prev>\n<event>\n<flags>\n<data>": prev is the id generated before
-- this one, which lets every edge prove it missed nothing; flags is 'a' for ack events. Appending
-- and publishing in one script keeps notifications in stream order.

if ARGV[6] == '1' then
  local existing = redis.call('GET', KEYS[2])
  if existing then
    -- Rewritten as it is: a write of this call, so a WAIT after it (--publish-replicas) also
    -- covers the original append, which came before it in the replication stream.
    redis.call('SET', KEYS[2], existing, 'KEEPTTL')
    return { existing, 1 }
  end
end

local prev = '0-0'
local existed = true
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if #newest > 0 then
  prev = newest[1][1]
elseif redis.call('EXISTS', KEYS[1]) == 1 then
  -- Trimmed to nothing: the stream still remembers the last id it generated.
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then prev = info[i + 1] end
  end
else
  existed = false
end

local fields = { 'e', ARGV[3], 'd', ARGV[4] }
if ARGV[8] == '1' then
  fields[#fields + 1] = 'a'
  fields[#fields + 1] = '1'
end
local id = redis.call('XADD', KEYS[1], '*', unpack(fields))
if not existed then
  -- A stream starts (or starts again): remember since when, and keep the metadata the pruner
  -- had set to expire. read-after.lua takes a position older than 'born' less retention for one
  -- from a previous life of the channel, whose metadata may be forgotten.
  redis.call('HSETNX', KEYS[3], 'born', id)
  redis.call('PERSIST', KEYS[3])
end

-- Trim exactly, by the first id to keep, and remember the newest id removed: readers behind it
-- are told precisely what they lost (Redis 7.0 does not record trimmed ids itself).
local keepFrom = nil
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local ageCut = nowMs - tonumber(ARGV[2])
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1][1]
if tonumber(string.sub(first, 1, string.find(first, '-', 1, true) - 1)) < ageCut then
  keepFrom = string.format('%d', ageCut) .. '-0'
end
local maxLength = tonumber(ARGV[1])
local length = redis.call('XLEN', KEYS[1])
if length > maxLength + math.floor(maxLength / 100) then
  local head = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', length - maxLength + 1)
  local byLength = head[#head][1]
  if keepFrom == nil or redis.call('XRANGE', KEYS[1], keepFrom, byLength, 'COUNT', 1)[1] ~= nil then keepFrom = byLength end
end
if keepFrom ~= nil then
  local newestTrimmed = redis.call('XREVRANGE', KEYS[1], '(' .. keepFrom, '-', 'COUNT', 1)[1]
  if newestTrimmed ~= nil then
    redis.call('XTRIM', KEYS[1], 'MINID', keepFrom)
    redis.call('HSET', KEYS[3], 'trimmed', newestTrimmed[1])
  end
end

if ARGV[6] == '1' then
  redis.call('SET', KEYS[2], id, 'EX', ARGV[5])
end

-- Receipts: every member seen recently owes one, recorded as pending (field '#' holds the publish
-- time, so an ack event with no members is still known). HSET in chunks keeps argument lists short.
local expected = 0
if ARGV[8] == '1' then
  local receipts = ARGV[9] .. id
  redis.call('HSET', receipts, '#', string.format('%d', nowMs))
  local members = redis.call('ZRANGE', KEYS[4], string.format('%d', nowMs - tonumber(ARGV[10])), '+inf', 'BYSCORE')
  local batch = {}
  for _, device in ipairs(members) do
    batch[#batch + 1] = device
    batch[#batch + 1] = '{"s":"pending","a":0}'
    if #batch >= 1000 then
      redis.call('HSET', receipts, unpack(batch))
      batch = {}
    end
  end
  if #batch > 0 then redis.call('HSET', receipts, unpack(batch)) end
  redis.call('EXPIRE', receipts, ARGV[11])
  expected = #members
  -- Written with the event, so the worker's reconciler finds it even if the edge dies before
  -- queueing its job. Due at once: the worker owns the timing policy.
  if expected > 0 then redis.call('ZADD', KEYS[5], nowMs, id) end
end

local flags = ''
if ARGV[8] == '1' then flags = 'a' end
redis.call('PUBLISH', ARGV[7], id .. '\n' .. prev .. '\n' .. ARGV[3] .. '\n' .. flags .. '\n' .. ARGV[4])
return { id, 0, expected }
