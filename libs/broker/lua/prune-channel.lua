-- prune-channel.lua: remove what a channel no longer needs, in one step (idempotent).
--
-- KEYS[1]  the channel's stream            <prefix>:{c:<channel>}:log
-- KEYS[2]  the channel's metadata hash     <prefix>:{c:<channel>}:meta ('trimmed': newest id trimmed away)
-- KEYS[3]  the channel's members           <prefix>:{c:<channel>}:members (zset: device -> last seen ms)
-- KEYS[4]  the channel's presence hash     <prefix>:{c:<channel>}:presence ("<device> <node>" -> "<since> <lastSeen>")
-- KEYS[5]  the channel's owed redeliveries <prefix>:{c:<channel>}:owed (zset of "<device> <id>")
-- KEYS[6]  the channel's open ack events   <prefix>:{c:<channel>}:acks
-- KEYS[7]  the channel's device positions  <prefix>:{c:<channel>}:positions (device -> last id written)
-- KEYS[8]  the channel's consumer groups   <prefix>:{c:<channel>}:groups (a stream with groups is kept)
-- ARGV[1]  retention: maximum age in milliseconds
-- ARGV[2]  membership idle limit in milliseconds: a member not seen for twice it is forgotten (one
--          not seen for the limit has lapsed, but is remembered so that join-channel.lua can name
--          what it missed)
-- ARGV[3]  presence TTL in milliseconds
-- ARGV[4]  receipts key prefix             <prefix>:{c:<channel>}:rcpt: (+ id; same slot)
-- ARGV[5]  pub/sub channel of the live path: expired presence is announced as
--          "presence\nleave\n<device>\n<node>\nexpired" (its node died without a word)
-- ARGV[6]  retention: maximum length (a lowered limit applies to channels that no longer get appends)
--
-- Reply: { entries trimmed, members forgotten (with their positions), presence entries expired, owed entries dropped,
--          1 if the channel is empty now: no stream (removed here or before), members, presence,
--          open receipts or consumer groups — it can leave the directory }
--
-- Edges trim on append, so only a channel that went quiet keeps entries past their age (or past a
-- length limit lowered since): they are trimmed here the same exact way, recording the newest
-- trimmed id. A channel left with nothing
-- (no entries, members, presence or open receipts) loses its stream key; its metadata stays for
-- one more retention period, so a reader that comes back with an old position meanwhile is told
-- exactly what it lost, and one back later is told by the 'born' of the channel's next life.

local OWED_PER_RUN = 1000
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)

-- Removes every entry before keepFrom, recording the newest one removed.
local function trimBefore(keepFrom)
  local newestTrimmed = redis.call('XREVRANGE', KEYS[1], '(' .. keepFrom, '-', 'COUNT', 1)[1]
  if newestTrimmed == nil then return 0 end
  redis.call('HSET', KEYS[2], 'trimmed', newestTrimmed[1])
  return redis.call('XTRIM', KEYS[1], 'MINID', keepFrom)
end

local trimmed = 0
if redis.call('EXISTS', KEYS[1]) == 1 then
  trimmed = trimBefore(string.format('%d', nowMs - tonumber(ARGV[1])) .. '-0')
  local maxLength = tonumber(ARGV[6])
  local length = redis.call('XLEN', KEYS[1])
  if length > maxLength then
    local head = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', length - maxLength + 1)
    trimmed = trimmed + trimBefore(head[#head][1])
  end
end

local members = redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. string.format('%d', nowMs - 2 * tonumber(ARGV[2])))
-- A device that is no longer a member has no position to come back to.
local positions = redis.call('HKEYS', KEYS[7])
for _, device in ipairs(positions) do
  if not redis.call('ZSCORE', KEYS[3], device) then redis.call('HDEL', KEYS[7], device) end
end

local presence = 0
local staleBefore = nowMs - tonumber(ARGV[3])
local entries = redis.call('HGETALL', KEYS[4])
for i = 1, #entries, 2 do
  local value = entries[i + 1]
  local lastSeen = tonumber(string.sub(value, string.find(value, ' ', 1, true) + 1))
  if lastSeen < staleBefore then
    presence = presence + redis.call('HDEL', KEYS[4], entries[i])
    local space = string.find(entries[i], ' ', 1, true)
    redis.call('PUBLISH', ARGV[5], 'presence\nleave\n' .. string.sub(entries[i], 1, space - 1) .. '\n' .. string.sub(entries[i], space + 1) .. '\nexpired')
  end
end

-- Owed redeliveries of events whose receipts expired with retention.
local owed = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[5], 0, OWED_PER_RUN - 1)) do
  local id = string.sub(member, string.find(member, ' ', 1, true) + 1)
  if redis.call('EXISTS', ARGV[4] .. id) == 0 then
    owed = owed + redis.call('ZREM', KEYS[5], member)
  end
end

local empty = 0
-- A consumer group lives on the stream (its position, its pending events): never remove it under one.
if redis.call('ZCARD', KEYS[3]) == 0 and redis.call('HLEN', KEYS[4]) == 0
  and redis.call('ZCARD', KEYS[5]) == 0 and redis.call('ZCARD', KEYS[6]) == 0 and redis.call('HLEN', KEYS[8]) == 0 then
  if redis.call('EXISTS', KEYS[1]) == 0 then
    empty = 1
  elseif redis.call('XLEN', KEYS[1]) == 0 then
    local info = redis.call('XINFO', 'STREAM', KEYS[1])
    for i = 1, #info, 2 do
      if info[i] == 'last-generated-id' and info[i + 1] ~= '0-0' then redis.call('HSET', KEYS[2], 'trimmed', info[i + 1]) end
    end
    redis.call('DEL', KEYS[1])
    empty = 1
  end
  -- The metadata outlives the stream by one retention period, then goes: a reader back later is
  -- told by the next life's 'born' (read-after.lua), so nothing is kept forever per channel.
  if empty == 1 and redis.call('PTTL', KEYS[2]) == -1 then redis.call('PEXPIRE', KEYS[2], ARGV[1]) end
end

return { trimmed, members, presence, owed, empty }
