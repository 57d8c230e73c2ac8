-- Appends jump records to a run's input log, only if the log holds exactly the expected number of bytes
-- and the run is still active, so a retried or out-of-order write can never record a jump twice.
-- KEYS[1] = the run's meta hash, KEYS[2] = its input log (same hash tag: one cluster slot)
-- ARGV[1] = expected log length in bytes before the append
-- ARGV[2] = the records to append
-- ARGV[3] = "end" to mark the run ended in the same step, "" otherwise
-- ARGV[4] = the end reason (with "end")
-- ARGV[5] = TTL in seconds for both keys
-- Returns {0, new length} when appended, {1, current length} on a sequence mismatch,
-- {2, current length} when the run is not active (ended or unknown).
local state = redis.call('HGET', KEYS[1], 'state')
local len = redis.call('STRLEN', KEYS[2])
if state ~= 'active' then
  return {2, len}
end
if len ~= tonumber(ARGV[1]) then
  return {1, len}
end
local new_len = redis.call('APPEND', KEYS[2], ARGV[2])
if ARGV[3] == 'end' then
  redis.call('HSET', KEYS[1], 'state', 'ended', 'end_reason', ARGV[4])
end
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return {0, new_len}
