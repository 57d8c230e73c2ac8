-- Cuts a live run's log back to what Redis held before a positional write that found it shorter than
-- the node expected (Redis lost acknowledged writes: a failover or a restart): the write's records and
-- trailer are dropped, the time of the last jump Redis kept is back at the end. Only while the run is
-- still driven at that epoch: otherwise the key is no longer read, and goes (a write that came after
-- its fence expired created it without a TTL).
-- KEYS[1] = the run's meta hash, KEYS[2] = the live log ('<log>:<epoch>')
-- ARGV[1] = the epoch, ARGV[2] = the length in bytes to keep
local meta = redis.call('HMGET', KEYS[1], 'state', 'epoch')
if meta[1] ~= 'active' or meta[2] ~= ARGV[1] then
  if redis.call('TTL', KEYS[2]) == -1 then
    redis.call('DEL', KEYS[2])
  end
  return 0
end
local keep = tonumber(ARGV[2])
if keep == 0 then
  redis.call('DEL', KEYS[2])
else
  redis.call('SET', KEYS[2], redis.call('GETRANGE', KEYS[2], 0, keep - 1), 'KEEPTTL')
end
return 1
