-- Loads a run (its meta fields and input log) and, when asked and the run is still active, makes the
-- asking connection its driver, in one atomic step: from then on only that connection may append, so at
-- most one connection drives a run at a time (a reconnect takes over from a connection that dropped).
-- A run that does not exist is not created.
-- KEYS[1] = the run's meta hash, KEYS[2] = its input log
-- ARGV[1] = the new driver token, or "" to only read
-- Returns {{field, value, ...}, log or false}; {} when the run does not exist.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {}
end
if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'state') == 'active' then
  redis.call('HSET', KEYS[1], 'driver', ARGV[1])
end
return {redis.call('HGETALL', KEYS[1]), redis.call('GET', KEYS[2])}
