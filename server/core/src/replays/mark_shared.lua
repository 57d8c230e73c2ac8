-- Notes on a kept best run the challenge it was shared as, if the best is still that run.
-- KEYS[1] = lf:{p:<player>}:best:<period_id> (hash)
-- ARGV[1] = run id, ARGV[2] = challenge id
-- Returns 1 when noted, 0 when the best is another run (or none).
if redis.call('HGET', KEYS[1], 'run') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'challenge', ARGV[2])
return 1
