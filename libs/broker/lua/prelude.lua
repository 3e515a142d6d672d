-- prelude.lua: helpers every script gets, prepended by the loader (script() in redis-client.ts),
-- so each is written once. Locals, so a script that does not use them is unaffected; a script's
-- own line numbers in Redis' error messages are offset by this file's length.

-- A stream id 'ms-seq' as two numbers.
local function parse(id)
  local dash = string.find(id, '-', 1, true)
  return tonumber(string.sub(id, 1, dash - 1)), tonumber(string.sub(id, dash + 1))
end

-- Whether stream id a comes before b.
local function less(a, b)
  local ams, aseq = parse(a)
  local bms, bseq = parse(b)
  if ams ~= bms then return ams < bms end
  return aseq < bseq
end

