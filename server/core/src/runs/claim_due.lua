-- Claims the runs of one index shard that are due: each is moved a lease ahead in the same step, so no
-- other sweeper takes it while this one works on it, and returned.
-- KEYS[1] = the index shard (sorted set: run id -> when it is due, unix ms)
-- ARGV[1] = now, unix ms; ARGV[2] = when the lease ends, unix ms; ARGV[3] = the most runs to claim
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, run in ipairs(due) do
  redis.call('ZADD', KEYS[1], ARGV[2], run)
end
return due
