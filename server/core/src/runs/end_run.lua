-- Ends a run, with its last jumps if any, only if it is active, the ending connection drives it and its
-- log holds exactly the expected number of jumps, in one atomic step: a retried, stale or out-of-order
-- end can never record a jump twice or end a run twice. The log moves to KEYS[2] as records only (the
-- live layout's times go; the last jump's goes to `last_ms`). The live key is deleted, or, when the
-- server ends an idle run and its driver may still be writing, becomes a fence (a hash `fenced = ended`
-- living ARGV[7]) on which a late positional write fails with WRONGTYPE and changes nothing.
-- KEYS[1] = the run's meta hash, KEYS[2] = its log key (live runs in `format` 2 or 3 write
-- '<log>:<epoch>': 3 an entry per jump, record then time; 2 the records then the last jump's time). A
-- layout this script does not know (a newer version's) is refused with a LAYOUT error, never misread.
-- ARGV[1] = expected length in bytes of the log's records before these jumps
-- ARGV[2] = the records to append
-- ARGV[3] = the end reason
-- ARGV[4] = TTL in seconds for both keys
-- ARGV[5] = now, unix ms
-- ARGV[6] = the driver token of the connection ending it, or "" for the server itself (ending an idle
--           run), which any driver allows
-- ARGV[7] = TTL in seconds of the fence a server's end leaves on the live log (the live TTL)
-- ARGV[8] = the records of the jumps before these, as the ending node holds them (read for `format` 3)
-- Returns {0, new length} when ended, {1, current length} on a sequence mismatch, {2, 0} when the run is
-- not active (ended or unknown), {3, current length} when another connection drives it.
local meta = redis.call('HMGET', KEYS[1], 'state', 'driver', 'format', 'epoch')
if meta[1] ~= 'active' then
  return {2, 0}
end
local live_key, refusal = live_log_key(KEYS[2], meta[3], meta[4])
if refusal then
  return refusal
end
-- The log's records before this end, and their length in bytes as Redis holds them (`held`).
local log, held
local last_ms = false
if meta[3] == '3' then
  -- An entry per jump: its record, then the time it came. The records are the driver's copy
  -- (ARGV[8]), taken when Redis holds as many and the same last one: the end reads 16 bytes of the
  -- log, not all of it, and builds no string per jump (Lua would spend ~0.3 us on each).
  local length = redis.call('STRLEN', live_key)
  local last = ''
  if length >= 16 then
    last = redis.call('GETRANGE', live_key, length - 16, length - 1)
    last_ms = struct.unpack('<I8', string.sub(last, 9))
  end
  held = (length - length % 16) / 2
  if length % 16 == 0 and #ARGV[8] == held and string.sub(last, 1, 8) == string.sub(ARGV[8], -8) then
    log = ARGV[8]
  end
else
  log = redis.call('GET', live_key) or ''
  if meta[3] == '2' and #log > 0 then
    -- The records, then the time of the last jump.
    last_ms = struct.unpack('<I8', string.sub(log, #log - 7))
    log = string.sub(log, 1, #log - 8)
  end
  held = #log
end
if ARGV[6] ~= '' and meta[2] ~= ARGV[6] then
  return {3, held}
end
if not log or held ~= tonumber(ARGV[1]) then
  return {1, held}
end
log = log .. ARGV[2]
if live_key ~= KEYS[2] then
  if ARGV[6] ~= '' then
    -- The driver ends its own run: it has no other write in flight.
    redis.call('DEL', live_key)
  else
    -- A sweeper ends an idle run: a late write of its driver may still come. Fence it off.
    redis.call('DEL', live_key)
    redis.call('HSET', live_key, 'fenced', 'ended')
    redis.call('EXPIRE', live_key, ARGV[7])
  end
end
redis.call('SET', KEYS[2], log, 'EX', ARGV[4])
-- The time of the last jump goes with the rest of the end, in one write.
local ended = {'state', 'ended', 'end_reason', ARGV[3], 'ended_ms', ARGV[5]}
if ARGV[2] ~= '' then
  table.insert(ended, 'last_ms')
  table.insert(ended, ARGV[5])
elseif last_ms then
  table.insert(ended, 'last_ms')
  table.insert(ended, string.format('%d', last_ms))
end
redis.call('HSET', KEYS[1], unpack(ended))
redis.call('EXPIRE', KEYS[1], ARGV[4])
return {0, #log}
