-- One side of a friendship, on that player's slot: the friend added only while the list is under the
-- cap, checked and written in one step, so concurrent acceptances and imports cannot pass it together.
-- Linking clears the requests between the two on this side and marks the player as known (the host
-- app's import may link players who never logged in).
-- KEYS: 1 friends (hash), 2 `req:in` (hash), 3 `req:out` (hash), 4 seen (string)
-- ARGV: 1 the friend, 2 now ms, 3 most friends, 4 today (unix day)
-- Returns "linked", "already" (they were friends on this side) or "full".
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('HDEL', KEYS[3], ARGV[1])
  return 'already'
end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then
  return 'full'
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('SET', KEYS[4], ARGV[4], 'NX')
return 'linked'
