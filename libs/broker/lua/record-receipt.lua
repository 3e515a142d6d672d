-- record-receipt.lua: a device's own receipt for an event, applied once and never backwards.
--
-- KEYS[1]  the event's receipts hash       <prefix>:{c:<channel>}:rcpt:<id>
-- KEYS[2]  the channel's owed redeliveries <prefix>:{c:<channel>}:owed (zset of "<device> <id>")
-- ARGV[1]  device id
-- ARGV[2]  status: received | processed | failed
-- ARGV[3]  detail ('' for none)
-- ARGV[4]  now, milliseconds
-- ARGV[5]  the event's id
--
-- Reply: { outcome, receipt JSON } with outcome
--   'recorded'      the state moved forward
--   'unchanged'     a repeat, or a lesser report after a final one (received after processed)
--   'not-expected'  no such ack event, or the device was not a member when it was published
--   'conflict'      contradicts the recorded state: failed after processed (or the reverse), or dead
--
-- States: pending → delivered → received → processed | failed; dead is set by the worker.

local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return { 'not-expected', '' } end
local receipt = cjson.decode(raw)
local status = ARGV[2]

if receipt.s == status then return { 'unchanged', raw } end
if receipt.s == 'dead' then return { 'conflict', raw } end
if receipt.s == 'processed' or receipt.s == 'failed' then
  if status == 'received' then return { 'unchanged', raw } end
  return { 'conflict', raw }
end

receipt.s = status
receipt.r = tonumber(ARGV[4])
if ARGV[3] ~= '' then receipt.x = ARGV[3] end
local encoded = cjson.encode(receipt)
redis.call('HSET', KEYS[1], ARGV[1], encoded)
redis.call('ZREM', KEYS[2], ARGV[1] .. ' ' .. ARGV[5]) -- answered: nothing owed on reconnect
return { 'recorded', encoded }
