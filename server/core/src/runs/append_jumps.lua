-- Appends jump records to a run's input log, only if the run is active, this connection drives it, and
-- the log holds exactly the expected number of bytes, so a retried, stale or out-of-order write can never
-- record a jump twice. Records when the jump came (the timing check of the next one needs it on any
-- node) and, when the run ends, why and when, in the same atomic step.
-- KEYS[1] = the run's meta hash, KEYS[2] = its input log (same hash tag: one cluster slot)
-- ARGV[1] = expected log length in bytes before the append
-- ARGV[2] = the records to append
-- ARGV[3] = "end" to end the run in the same step, "" otherwise
-- ARGV[4] = the end reason (with "end")
-- ARGV[5] = TTL in seconds for both keys
-- ARGV[6] = now, unix ms
-- ARGV[7] = the driver token of the connection appending, or "" for the server itself (ending an idle
--           run), which any driver allows
-- Returns {0, new length} when appended, {1, current length} on a sequence mismatch, {2, current length}
-- when the run is not active (ended or unknown), {3, current length} when another connection drives it.
local state = redis.call('HGET', KEYS[1], 'state')
local len = redis.call('STRLEN', KEYS[2])
if state ~= 'active' then
  return {2, len}
end
if ARGV[7] ~= '' and redis.call('HGET', KEYS[1], 'driver') ~= ARGV[7] then
  return {3, len}
end
if len ~= tonumber(ARGV[1]) then
  return {1, len}
end
local new_len = len
if ARGV[2] ~= '' then
  new_len = redis.call('APPEND', KEYS[2], ARGV[2])
  redis.call('HSET', KEYS[1], 'last_ms', ARGV[6])
end
if ARGV[3] == 'end' then
  redis.call('HSET', KEYS[1], 'state', 'ended', 'end_reason', ARGV[4], 'ended_ms', ARGV[6])
end
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return {0, new_len}
