-- The blocker's side of a block, on their slot: the block recorded only while the blocked list is under
-- the cap (checked and written in one step), and any friendship and request with the other player ended.
-- Blocking someone already blocked changes nothing but clears what is left between them.
-- KEYS: 1 blocked (set), 2 friends (hash), 3 `req:in` (hash), 4 `req:out` (hash)
-- ARGV: 1 the other player, 2 most blocked players
-- Returns "blocked" or "full".
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then
  if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then
    return 'full'
  end
  redis.call('SADD', KEYS[1], ARGV[1])
end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
return 'blocked'
