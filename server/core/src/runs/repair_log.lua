-- Repairs a live run's log after an APPEND of its driver found it at another length than expected, so
-- the log ends up as if the entries had been written at their position: what Redis held before them,
-- then the appended entries, and nothing after.
-- - The log was longer (this very append applied twice by a retried request, or a stale append of the
--   same driver that came late): it is cut to its first ARGV[2] bytes, then the entries follow. Returns
--   {1, new length}: the jumps are recorded.
-- - The log was shorter (Redis lost acknowledged writes: a failover or a restart): the entries went to
--   the wrong place and are taken out again, never leaving a hole. Returns {2, length kept}: refused,
--   the driver reloads what Redis holds.
-- Only while the run is still driven at that epoch: otherwise the key is no longer read, and goes if
-- it has no TTL (a write that came after its fence expired created it). Returns {0, 0}.
-- KEYS[1] = the run's meta hash, KEYS[2] = the live log ('<log>:<epoch>')
-- ARGV[1] = the epoch, ARGV[2] = the length in bytes before the entries, ARGV[3] = the entries
local meta = redis.call('HMGET', KEYS[1], 'state', 'epoch')
if meta[1] ~= 'active' or meta[2] ~= ARGV[1] then
  if redis.call('TTL', KEYS[2]) == -1 then
    redis.call('DEL', KEYS[2])
  end
  return {0, 0}
end
local before = tonumber(ARGV[2])
local entries = ARGV[3]
local log = redis.call('GET', KEYS[2]) or ''
if #log >= before + #entries then
  local repaired = string.sub(log, 1, before) .. entries
  redis.call('SET', KEYS[2], repaired, 'KEEPTTL')
  return {1, #repaired}
end
-- The entries are at the end (the driver waits for this answer before its next write): what is before
-- them is what Redis held, in whole entries.
local entry = 16
local keep = #log - #entries
keep = keep - keep % entry
if keep <= 0 then
  redis.call('DEL', KEYS[2])
  return {2, 0}
end
redis.call('SET', KEYS[2], string.sub(log, 1, keep), 'KEEPTTL')
return {2, keep}
