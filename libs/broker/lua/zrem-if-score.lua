-- zrem-if-score.lua: remove a member from a sorted set only if its score is still the one read.
--
-- KEYS[1]  a list stamped by publishers before they write: the channel directory
--          (<prefix>:{dir:N}:channels) or the channels with ack events (<prefix>:{acks}:channels)
-- ARGV[1]  member (a channel)
-- ARGV[2]  the score the caller read; a changed score means a publisher stamped the channel
--          since, and something may be on its way: the channel must stay listed
--
-- Reply: 1 when removed.

if redis.call('ZSCORE', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0
