-- Keeps a run as a player's best of each board period given, unless the kept one is as good or better:
-- only a better packed score (the board's encoding, ties broken by time) replaces it, so a retried
-- recording, or one that comes after a better run's, changes nothing. One call for every period a run is
-- the best of (the keys share the player's slot), so the log is sent once.
-- KEYS[i] = lf:{p:<player>}:best:<period_id> (hash), one per period
-- ARGV[1] = packed score, ARGV[2] = seed, ARGV[3] = ruleset, ARGV[4] = the input log (8 bytes a jump),
-- ARGV[5] = jumps in the whole run, ARGV[6] = run id, ARGV[6 + i] = unix ms to expire KEYS[i] at (0: never)
-- Returns how many periods kept the run.
local packed = tonumber(ARGV[1])
local kept_count = 0
for i, key in ipairs(KEYS) do
  local kept = redis.call('HGET', key, 'packed')
  if not (kept and tonumber(kept) >= packed) then
    redis.call('DEL', key)
    redis.call('HSET', key, 'packed', ARGV[1], 'seed', ARGV[2], 'ruleset', ARGV[3], 'log', ARGV[4],
      'jumps', ARGV[5], 'run', ARGV[6])
    local expire_at = ARGV[6 + i]
    if expire_at ~= '0' then
      redis.call('PEXPIREAT', key, expire_at)
    end
    kept_count = kept_count + 1
  end
end
return kept_count
