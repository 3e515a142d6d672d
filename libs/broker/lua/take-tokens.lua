-- take-tokens.lua: a token bucket shared by every node (the arithmetic of takeTokens in libs/core).
--
-- KEYS[1]  the principal's bucket          <prefix>:{rate:<principal>} (hash: t = tokens, u = updated ms)
-- ARGV[1]  cost
-- ARGV[2]  refill rate, tokens per second
-- ARGV[3]  burst: the most tokens the bucket holds
--
-- Reply: { 1, 0 } when taken, { 0, retry-after ms } when not (nothing is taken then). The bucket
-- expires once it would be full again, so idle principals cost no memory.

local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local cost, rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens = burst
if state[1] then
  local elapsed = math.max(0, nowMs - tonumber(state[2]))
  tokens = math.min(burst, tonumber(state[1]) + elapsed * rate / 1000)
end
local allowed, retryAfter = 0, math.ceil((cost - tokens) * 1000 / rate)
if tokens >= cost then
  tokens = tokens - cost
  allowed, retryAfter = 1, 0
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'u', string.format('%d', nowMs))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
return { allowed, retryAfter }
