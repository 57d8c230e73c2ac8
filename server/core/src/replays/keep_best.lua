-- Keeps a run as a player's best of each board period given, unless the kept one is as good or better:
-- only a better packed score (the board's encoding, ties broken by time) replaces it, so a retried
-- recording, or one that comes after a better run's, changes nothing. One call for every period a run is
-- the best of (the keys share the player's slot), so the record is sent once.
-- A best is one string (`replays/record.rs`): a layout byte, then the packed score as 16 digits, which
-- every layout keeps at bytes 1 to 16, then the rest. A period with no such string yet may hold a best of
-- the layout before it (a hash with a `packed` field, written by an older version): that one is compared
-- against, and removed when replaced.
-- KEYS[2i - 1] = lf:{p:<player>}:replay:<period_id> (string), KEYS[2i] = lf:{p:<player>}:best:<period_id>
--   (the older layout's hash), one pair per period
-- ARGV[1] = packed score, ARGV[2] = the record, ARGV[2 + i] = unix ms to expire pair i's string at
--   (0: never)
-- Returns how many periods kept the run.
local packed = tonumber(ARGV[1])
local kept_count = 0
for i = 1, #KEYS / 2 do
  local key, older = KEYS[2 * i - 1], KEYS[2 * i]
  local kept = redis.call('GETRANGE', key, 1, 16)
  local from_older = kept == ''
  if from_older then
    kept = redis.call('HGET', older, 'packed')
  end
  if not (kept and tonumber(kept) >= packed) then
    local expire_at = ARGV[2 + i]
    if expire_at ~= '0' then
      redis.call('SET', key, ARGV[2], 'PXAT', expire_at)
    else
      redis.call('SET', key, ARGV[2])
    end
    if from_older and kept then
      redis.call('DEL', older)
    end
    kept_count = kept_count + 1
  end
end
return kept_count
