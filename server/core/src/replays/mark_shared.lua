-- Notes on a kept best run the challenge it was shared as, if the best is still that run. The best is
-- the string of `replays/record.rs` (its offsets given here), or, where the period has none, a hash of
-- the layout before it (written by an older version: `run`, then `challenge`).
-- KEYS[1] = lf:{p:<player>}:replay:<period_id> (string), KEYS[2] = lf:{p:<player>}:best:<period_id> (hash)
-- ARGV[1] = run id (16 bytes), ARGV[2] = the shared flag and challenge id (17 bytes),
-- ARGV[3] = run id (hex), ARGV[4] = challenge id (hex): for the older hash,
-- ARGV[5] = where the string's run id starts, ARGV[6] = where its shared flag starts
-- Returns 1 when noted, 0 when the best is another run (or none).
if redis.call('EXISTS', KEYS[1]) == 1 then
  local run_at = tonumber(ARGV[5])
  if redis.call('GETRANGE', KEYS[1], run_at, run_at + #ARGV[1] - 1) ~= ARGV[1] then
    return 0
  end
  redis.call('SETRANGE', KEYS[1], ARGV[6], ARGV[2])
  return 1
end
if redis.call('HGET', KEYS[2], 'run') ~= ARGV[3] then
  return 0
end
redis.call('HSET', KEYS[2], 'challenge', ARGV[4])
return 1
