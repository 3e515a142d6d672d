-- join-patterns.lua: a device starts (or renews) following wildcard patterns durably, all or none.
--
-- KEYS[1]  the device's durable patterns   <prefix>:{d:<device>}:patterns (zset: pattern -> last seen ms)
-- KEYS[2…] each pattern's record           <prefix>:{d:<device>}:pattern:<pattern>, in ARGV[5…]'s order
--          (hash: '~floor' -> when the device began to follow it, channel -> last id written)
-- ARGV[1]  now, milliseconds (the membership clock)
-- ARGV[2]  membership idle limit, milliseconds
-- ARGV[3]  most patterns one device may follow durably
-- ARGV[4]  floor slack, milliseconds: a new record's floor is this far before now on the log's
--          clock, so an event appended in the same millisecond, or on a Cluster node whose clock
--          is a little behind this one, is still after it
-- ARGV[5…] the patterns, distinct
--
-- Reply: { 'too-many' } when the device would follow more patterns than it may (nothing changed),
-- else { 'ok', { { outcome, record, lapsed }, ... } } in the patterns' order, where
--   outcome  'live'  the record was in use: record is its HGETALL (the device resumes there)
--            'new'   a record starts now: record is { '~floor', <now on the log's clock, less the slack>-0 }
--   lapsed   for 'new': the HGETALL of the record that had lapsed (not seen for the idle limit,
--            but within twice it), so the caller can name what the device may have missed; else {}
--
-- The keys expire twice the idle limit after the last touch, so a device that stops coming back
-- leaves nothing behind; index entries older than that are dropped here.

local now = tonumber(ARGV[1])
local idle = tonumber(ARGV[2])
local keep = 2 * idle
local liveSince = now - idle

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%d', now - keep))
local live = redis.call('ZCOUNT', KEYS[1], string.format('%d', liveSince), '+inf')
local seen, records, adding = {}, {}, 0
for i = 5, #ARGV do
  local s = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[i]))
  local record = redis.call('HGETALL', KEYS[i - 3])
  seen[i], records[i] = s, record
  if not (s and s >= liveSince and #record > 0) then
    adding = adding + 1
    if s and s >= liveSince then live = live - 1 end -- a live entry whose record is gone is replaced
  end
end
if live + adding > tonumber(ARGV[3]) then return { 'too-many' } end

local floor = nil
local replies = {}
for i = 5, #ARGV do
  local s, record = seen[i], records[i]
  if s and s >= liveSince and #record > 0 then
    redis.call('ZADD', KEYS[1], 'GT', now, ARGV[i])
    replies[#replies + 1] = { 'live', record, {} }
  else
    if floor == nil then
      local time = redis.call('TIME')
      floor = string.format('%d', tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) - tonumber(ARGV[4])) .. '-0'
    end
    local lapsed = {}
    if s and #record > 0 then lapsed = record end
    redis.call('DEL', KEYS[i - 3])
    redis.call('HSET', KEYS[i - 3], '~floor', floor)
    redis.call('ZADD', KEYS[1], now, ARGV[i])
    replies[#replies + 1] = { 'new', { '~floor', floor }, lapsed }
  end
  redis.call('PEXPIRE', KEYS[i - 3], keep)
end
redis.call('PEXPIRE', KEYS[1], keep)
return { 'ok', replies }
