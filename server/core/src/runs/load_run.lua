-- Loads a run (its meta fields and input log) and, when asked and the run is still active, makes the
-- asking connection its driver, in one atomic step: from then on only that connection may write it, so at
-- most one connection drives a run at a time (a reconnect takes over from a connection that dropped).
-- A run that does not exist is not created.
-- A takeover starts a new epoch: the live log (an entry per jump: its 8-byte record, then the 8-byte
-- unix ms it came) is copied to `<log>:<epoch + 1>`, and the old key becomes a fence (a hash
-- `fenced = taken_over` living ARGV[2]): a late append of the previous driver fails on it with WRONGTYPE,
-- changes nothing, and tells that driver it lost the run; it never reaches the new driver's log.
-- Live runs stored in an older layout are answered in this one, and moved to it by a takeover:
-- `format` 2 (at `<log>:<epoch>`, the records then the 8-byte time of the last jump) and none (at
-- KEYS[2], records only, the last jump's time in `last_ms`). An older layout's earlier jumps get the
-- last jump's time: only the last one is ever read. A layout this script does not know (a newer
-- version's) is refused with a LAYOUT error, never misread.
-- KEYS[1] = the run's meta hash, KEYS[2] = its log key (ended runs' logs; live ones add ':<epoch>')
-- ARGV[1] = the new driver token, or "" to only read
-- ARGV[2] = TTL in seconds of a live run's keys (a takeover refreshes them)
-- Returns {{field, value, ...}, log or false}; {} when the run does not exist. An ended run's log is
-- records only.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {}
end
local meta = redis.call('HMGET', KEYS[1], 'state', 'format', 'epoch', 'last_ms', 'started_ms')
if meta[1] ~= 'active' then
  return {redis.call('HGETALL', KEYS[1]), redis.call('GET', KEYS[2])}
end

-- `records` (8 bytes each) with `time` after each: the live layout.
local function entries(records, time)
  local stamp = struct.pack('<I8', time)
  return (string.gsub(records, '........', function(record) return record .. stamp end))
end

local live_key, refusal = live_log_key(KEYS[2], meta[2], meta[3])
if refusal then
  return refusal
end
local log = redis.call('GET', live_key)
if log and meta[2] == '2' and #log >= 8 then
  log = entries(string.sub(log, 1, #log - 8), struct.unpack('<I8', string.sub(log, #log - 7)))
elseif log and not meta[2] then
  log = entries(log, tonumber(meta[4] or meta[5]))
end
if ARGV[1] == '' then
  return {redis.call('HGETALL', KEYS[1]), log}
end
if live_key ~= KEYS[2] then
  -- The previous driver may still write: fence it off.
  redis.call('DEL', live_key)
  redis.call('HSET', live_key, 'fenced', 'taken_over')
  redis.call('EXPIRE', live_key, ARGV[2])
else
  redis.call('DEL', KEYS[2])
end
local epoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
redis.call('HSET', KEYS[1], 'driver', ARGV[1], 'format', '3')
redis.call('EXPIRE', KEYS[1], ARGV[2])
if log then
  redis.call('SET', KEYS[2] .. ':' .. epoch, log, 'EX', ARGV[2])
end
return {redis.call('HGETALL', KEYS[1]), log}
