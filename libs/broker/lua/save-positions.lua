-- save-positions.lua: remember the last event written to each device on a channel, forward only.
-- (parse and less, for stream ids, come from prelude.lua, which the loader prepends.)
--
-- KEYS[1]  the channel's device positions  <prefix>:{c:<channel>}:positions (device -> stream id)
-- ARGV     pairs of device id, stream id
--
-- Reply: how many positions moved. A position never moves back: two connections of one device,
-- or a late batch from a slow node, cannot rewind it.

local moved = 0
for i = 1, #ARGV, 2 do
  local old = redis.call('HGET', KEYS[1], ARGV[i])
  local newer = true
  if old then
    local oms, oseq = parse(old)
    local nms, nseq = parse(ARGV[i + 1])
    newer = nms > oms or (nms == oms and nseq > oseq)
  end
  if newer then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    moved = moved + 1
  end
end
return moved
