-- Keeps a run as a player's best of one board period, unless the kept one is as good or better: only a
-- better packed score (the board's encoding, ties broken by time) replaces it, so a retried recording, or
-- one that comes after a better run's, changes nothing.
-- KEYS[1] = lf:{p:<player>}:best:<period_id> (hash)
-- ARGV[1] = packed score, ARGV[2] = seed, ARGV[3] = ruleset, ARGV[4] = the input log (8 bytes a jump),
-- ARGV[5] = jumps in the whole run, ARGV[6] = run id, ARGV[7] = unix ms to expire at (0: never)
-- Returns 1 when kept, 0 when the kept run is as good or better.
local kept = redis.call('HGET', KEYS[1], 'packed')
if kept and tonumber(kept) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'packed', ARGV[1], 'seed', ARGV[2], 'ruleset', ARGV[3], 'log', ARGV[4],
  'jumps', ARGV[5], 'run', ARGV[6])
if ARGV[7] ~= '0' then
  redis.call('PEXPIREAT', KEYS[1], ARGV[7])
end
return 1
