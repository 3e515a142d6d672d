-- group-ack.lua: acknowledge events for a group, or give them back at once (nack).
--
-- KEYS[1]  the channel's stream            <prefix>:{c:<channel>}:log
-- KEYS[2]  the channel's group settings    <prefix>:{c:<channel>}:groups (hash: group -> {"v","m"})
-- ARGV[1]  group name
-- ARGV[2]  'ack' or 'nack'
-- ARGV[3…] event ids
--
-- Reply: { 'no-group' }, or { 'ok', {1|0, ...} }: per id, 1 when it was pending for the group (now
-- acknowledged, or for a nack made claimable by the next claim of any consumer: its idle time
-- set to the visibility timeout, its delivery count unchanged), 0 when it was not pending.

local settings = redis.call('HGET', KEYS[2], ARGV[1])
if not settings or redis.call('EXISTS', KEYS[1]) == 0 then return { 'no-group' } end
-- The group itself may have gone (deleted by hand) while its settings stayed.
if not pcall(redis.call, 'XPENDING', KEYS[1], ARGV[1]) then return { 'no-group' } end
local visibility = cjson.decode(settings).v
local done = {}
for i = 3, #ARGV do
  if ARGV[2] == 'ack' then
    done[#done + 1] = redis.call('XACK', KEYS[1], ARGV[1], ARGV[i])
  else
    local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)[1]
    if pending then
      redis.call('XCLAIM', KEYS[1], ARGV[1], pending[2], 0, ARGV[i], 'IDLE', visibility, 'JUSTID')
      done[#done + 1] = 1
    else
      done[#done + 1] = 0
    end
  end
end
return { 'ok', done }
