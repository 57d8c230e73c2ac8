-- Puts a player's score on a challenge's board if the challenge still exists (ZADD GT: only a better run
-- changes their entry), so a board never outlives its challenge.
-- KEYS[1] = the challenge (hash), KEYS[2] = its board (sorted set), one slot
-- ARGV[1] = the player, ARGV[2] = the packed score
-- Returns 1 when written, 0 when the challenge is gone.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('ZADD', KEYS[2], 'GT', ARGV[2], ARGV[1])
return 1
