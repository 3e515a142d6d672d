-- retry-round.lua: apply one planned retry round for an ack event (see planRetryRound), atomically.
--
-- KEYS[1]  the event's receipts hash       <prefix>:{c:<channel>}:rcpt:<id>
-- KEYS[2]  the channel's owed redeliveries <prefix>:{c:<channel>}:owed (zset of "<device> <id>",
--          what an edge sends a device when it connects)
-- KEYS[3]  the channel's open ack events   <prefix>:{c:<channel>}:acks (zset: id -> next due ms)
-- KEYS[4]  the channel's stream            <prefix>:{c:<channel>}:log
-- ARGV[1]  now, milliseconds
-- ARGV[2]  the event's id
-- ARGV[3]  pub/sub channel of the live path
-- ARGV[4]  when the next round is due, ms; '' when no device stays open
-- ARGV[5]  R: how many redeliveries follow
-- then R × (device, fromRetries, nextRetryAt), then the dead: × (device, fromRetries)
--
-- Each change applies only while the device is still open (pending or delivered) and its retries
-- count is still fromRetries: a round re-run after a crash, or run twice by two workers, changes
-- nothing the second time, so retries are never multiplied and an answer is never overwritten.
--
-- Reply: { redelivered devices, dead devices, outcome } — only what was applied. Outcomes:
--   'ok'       the round was applied
--   'gone'     the event expects no receipts any more (expired); dropped from the open set
--   'trimmed'  retention removed the event before everyone answered: there is nothing left to
--              send, so every open device is dead now
-- Redelivered devices are announced on the live path as
--   "redeliver\n<id>\n<event>\n<devices, space-separated>\n<data>"
-- so the edges holding their connections write the event again.

if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('ZREM', KEYS[3], ARGV[2])
  return { {}, {}, 'gone' }
end

local now = tonumber(ARGV[1])
local id = ARGV[2]
local redeliveries = tonumber(ARGV[5])
local entry = redis.call('XRANGE', KEYS[4], id, id)[1]

local function isOpen(receipt)
  return receipt.s == 'pending' or receipt.s == 'delivered'
end

local function open(receipt, fromRetries)
  return isOpen(receipt) and (receipt.n or 0) == tonumber(fromRetries)
end

local function kill(device, receipt)
  receipt.s = 'dead'
  receipt.k = now
  receipt.t = nil
  redis.call('HSET', KEYS[1], device, cjson.encode(receipt))
  redis.call('ZREM', KEYS[2], device .. ' ' .. id)
end

local redelivered, dead = {}, {}
if not entry then
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do
    if all[i] ~= '#' then
      local receipt = cjson.decode(all[i + 1])
      if isOpen(receipt) then
        kill(all[i], receipt)
        dead[#dead + 1] = all[i]
      end
    end
  end
  redis.call('ZREM', KEYS[3], id)
  return { {}, dead, 'trimmed' }
end

for i = 0, redeliveries - 1 do
  local device, fromRetries, nextAt = ARGV[6 + i * 3], ARGV[7 + i * 3], ARGV[8 + i * 3]
  local raw = redis.call('HGET', KEYS[1], device)
  if raw then
    local receipt = cjson.decode(raw)
    if open(receipt, fromRetries) then
      receipt.n = tonumber(fromRetries) + 1
      receipt.t = tonumber(nextAt)
      redis.call('HSET', KEYS[1], device, cjson.encode(receipt))
      redis.call('ZADD', KEYS[2], 0, device .. ' ' .. id)
      redelivered[#redelivered + 1] = device
    end
  end
end

for i = 6 + redeliveries * 3, #ARGV, 2 do
  local device, fromRetries = ARGV[i], ARGV[i + 1]
  local raw = redis.call('HGET', KEYS[1], device)
  if raw then
    local receipt = cjson.decode(raw)
    if open(receipt, fromRetries) then
      kill(device, receipt)
      dead[#dead + 1] = device
    end
  end
end

if ARGV[4] == '' then
  redis.call('ZREM', KEYS[3], id)
else
  redis.call('ZADD', KEYS[3], ARGV[4], id)
end

if #redelivered > 0 then
  local event, data = '', 'null'
  for i = 1, #entry[2], 2 do
    if entry[2][i] == 'e' then event = entry[2][i + 1] elseif entry[2][i] == 'd' then data = entry[2][i + 1] end
  end
  redis.call('PUBLISH', ARGV[3], 'redeliver\n' .. id .. '\n' .. event .. '\n' .. table.concat(redelivered, ' ') .. '\n' .. data)
end
return { redelivered, dead, 'ok' }
