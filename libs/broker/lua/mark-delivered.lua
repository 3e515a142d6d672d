-- mark-delivered.lua: an edge wrote an ack event to these devices' connections.
--
-- KEYS[1]  the event's receipts hash       <prefix>:{c:<channel>}:rcpt:<id>
-- ARGV[1]  now, milliseconds
-- ARGV[2…] device ids
--
-- Reply: how many devices were updated. Devices not expected are ignored (they joined later);
-- pending becomes delivered; every write counts as an attempt, so re-deliveries show.

local updated = 0
for i = 2, #ARGV do
  local raw = redis.call('HGET', KEYS[1], ARGV[i])
  if raw then
    local receipt = cjson.decode(raw)
    if receipt.s ~= 'dead' then
      -- Marks are batched, so the device's own receipt may already be here: keep its state.
      if receipt.s == 'pending' then receipt.s = 'delivered' end
      if not receipt.d then receipt.d = tonumber(ARGV[1]) end
      receipt.a = (receipt.a or 0) + 1
      redis.call('HSET', KEYS[1], ARGV[i], cjson.encode(receipt))
      updated = updated + 1
    end
  end
end
return updated
