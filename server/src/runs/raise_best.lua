-- Raises a player's best score for one board if the new score beats it, and returns the previous best.
-- KEYS[1] = the player's bests hash; ARGV[1] = board field; ARGV[2] = score; ARGV[3] = unix ms reached.
local previous = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > previous then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2], ARGV[1] .. ':at', ARGV[3])
end
return previous
