-- group-claim.lua: hand a consumer of a group up to COUNT events: expired ones first, then new.
-- (parse and less, for stream ids, come from prelude.lua, which the loader prepends.)
--
-- KEYS[1]  the channel's stream            <prefix>:{c:<channel>}:log
-- KEYS[2]  the channel's metadata hash     <prefix>:{c:<channel>}:meta ('trimmed': newest id trimmed away)
-- KEYS[3]  the channel's group settings    <prefix>:{c:<channel>}:groups (hash: group -> {"v","m"})
-- KEYS[4]  the group's dead letters        <prefix>:{c:<channel>}:dead:<group> (stream)
-- ARGV[1]  group name
-- ARGV[2]  consumer name
-- ARGV[3]  how many events at most
-- ARGV[4]  dead letters kept (the newest, approximately)
--
-- Reply: { 'no-group' }, or
--        { 'ok', events, lost, dead, unreadFrom, unreadTo } where
--   events      { id, fields, deliveries } handed to the consumer: handed out and not acknowledged
--               within the visibility timeout first (XAUTOCLAIM), so redelivery cannot starve, then
--               never handed out (XREADGROUP >)
--   lost        ids that were pending but trimmed from the log before anyone acknowledged them
--               (XAUTOCLAIM reports them; they are acknowledged away)
--   dead        { id, fields, deliveries } already handed out the group's maximum number of times:
--               moved to the dead letters (with 'id' and 'n' fields) and acknowledged
--   unreadFrom, unreadTo  '' unless events after the group's position were trimmed before it read
--               them: it lost (unreadFrom, unreadTo]; its position moves to unreadTo
--
-- One script per claim: two consumers never get the same event, and a claim that dies halfway
-- changes nothing.

local group, consumer = ARGV[1], ARGV[2]
local count = tonumber(ARGV[3])
local settings = redis.call('HGET', KEYS[3], group)
if not settings or redis.call('EXISTS', KEYS[1]) == 0 then return { 'no-group' } end
local lastDelivered = nil
for _, info in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local name, last
  for i = 1, #info, 2 do
    if info[i] == 'name' then name = info[i + 1] elseif info[i] == 'last-delivered-id' then last = info[i + 1] end
  end
  if name == group then lastDelivered = last end
end
if not lastDelivered then return { 'no-group' } end
settings = cjson.decode(settings)

local unreadFrom, unreadTo = '', ''
local trimmed = redis.call('HGET', KEYS[2], 'trimmed')
if trimmed and less(lastDelivered, trimmed) then
  unreadFrom, unreadTo = lastDelivered, trimmed
  redis.call('XGROUP', 'SETID', KEYS[1], group, trimmed)
end

local events, lost, dead = {}, {}, {}
local expired = redis.call('XAUTOCLAIM', KEYS[1], group, consumer, settings.v, '0-0', 'COUNT', count)
for _, id in ipairs(expired[3] or {}) do
  redis.call('XACK', KEYS[1], group, id)
  lost[#lost + 1] = id
end
for _, entry in ipairs(expired[2]) do
  local deliveries = redis.call('XPENDING', KEYS[1], group, entry[1], entry[1], 1)[1][4]
  if deliveries > settings.m then
    local fields = { 'id', entry[1], 'n', deliveries - 1 }
    for i = 1, #entry[2] do fields[#fields + 1] = entry[2][i] end
    redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[4], '*', unpack(fields))
    redis.call('XACK', KEYS[1], group, entry[1])
    dead[#dead + 1] = { entry[1], entry[2], deliveries - 1 }
  else
    events[#events + 1] = { entry[1], entry[2], deliveries }
  end
end

if #events < count then
  local fresh = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', count - #events, 'STREAMS', KEYS[1], '>')
  if fresh then
    for _, entry in ipairs(fresh[1][2]) do events[#events + 1] = { entry[1], entry[2], 1 } end
  end
end
return { 'ok', events, lost, dead, unreadFrom, unreadTo }
