-- read-after.lua: read a channel's events after a position, and say whether any were lost.
-- (parse and less, for stream ids, come from prelude.lua, which the loader prepends.)
--
-- KEYS[1]  the channel's stream            <prefix>:{c:<channel>}:log
-- KEYS[2]  the channel's metadata hash     <prefix>:{c:<channel>}:meta ('trimmed': newest id trimmed away;
--          'born': the first id since the stream last started)
-- ARGV[1]  position: the last id the reader has (exclusive), '0-0' for the beginning
-- ARGV[2]  how many entries at most (0: only the metadata)
-- ARGV[3]  retention: maximum age in milliseconds
-- ARGV[4]  '1' when the position is a wildcard subscription's floor (a time, not a position the
--          reader had in this channel): it cannot be from an earlier life of the channel
--
-- Reply: { gap, lostTo, lastGeneratedId, entries }
--   gap     ''            nothing after the position was lost
--           'retention'   entries after the position were trimmed, up to and including lostTo
--           'stream-lost' the stream is gone or was recreated (its ids went backwards, or the
--                         position is older than its birth less retention: a previous life of
--                         the channel, whose metadata the pruner may have forgotten): the reader
--                         restarts from the beginning of what exists now
--   entries XRANGE replies ({ id, { field, value, ... } }) after the position, or after lostTo
--
-- One script, so the metadata and the entries describe the same moment.

local after = ARGV[1]
local limit = tonumber(ARGV[2])

if redis.call('EXISTS', KEYS[1]) == 0 then
  if after == '0-0' then return { '', '', '0-0', {} } end
  return { 'stream-lost', after, '0-0', {} }
end

local lastGenerated = '0-0'
local info = redis.call('XINFO', 'STREAM', KEYS[1])
for i = 1, #info, 2 do
  if info[i] == 'last-generated-id' then lastGenerated = info[i + 1] end
end
local meta = redis.call('HMGET', KEYS[2], 'trimmed', 'born')
local trimmed = meta[1] or '0-0'
-- A stream is removed (and its metadata set to expire after retention) only once retention aged
-- out all of it, so every id of an earlier life lies more than retention before 'born'.
local lifeStart = '0-0'
if meta[2] then lifeStart = string.format('%d', parse(meta[2]) - tonumber(ARGV[3])) .. '-0' end

local gap, lostTo, from = '', '', after
if less(lastGenerated, after) then
  gap, lostTo, from = 'stream-lost', after, '0-0'
elseif less(after, trimmed) then
  gap, lostTo, from = 'retention', trimmed, trimmed
elseif after ~= '0-0' and ARGV[4] ~= '1' and less(after, lifeStart) then
  gap, lostTo, from = 'stream-lost', after, '0-0'
end

local entries = {}
if limit > 0 then
  entries = redis.call('XRANGE', KEYS[1], '(' .. from, '+', 'COUNT', limit)
end
return { gap, lostTo, lastGenerated, entries }
