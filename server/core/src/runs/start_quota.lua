-- Takes a run start from a player's quota: at most `max_live` runs live at once and `max_per_hour`
-- started in the last hour. Live entries drop out when their run ends, or by themselves at the moment
-- the run would have timed out.
-- KEYS[1] = the player's live runs (sorted set: run id -> when it would time out, unix ms)
-- KEYS[2] = the player's runs started in the last hour (sorted set: run id -> unix ms); one slot
-- ARGV[1] = now, unix ms; ARGV[2] = the new run's id; ARGV[3] = when it would time out, unix ms
-- ARGV[4] = the most live runs; ARGV[5] = the most runs started per hour
-- Returns 0 when taken, 1 when too many runs are live, 2 when too many started this hour.
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 3600000)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  return 1
end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then
  return 2
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
redis.call('ZADD', KEYS[2], now, ARGV[2])
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], 3600000)
return 0
