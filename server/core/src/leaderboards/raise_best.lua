-- Raises a player's entry on a period board if the new packed score beats it (ZADD GT), sets the board's
-- expiry, and returns the previous packed score (nil if none).
-- KEYS[1] = the board; ARGV[1] = player; ARGV[2] = packed score; ARGV[3] = unix ms expiry or "" (never)
local previous = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[1])
if ARGV[3] ~= '' then
  redis.call('PEXPIREAT', KEYS[1], ARGV[3])
end
return previous
