-- Deletes a player's presence key only if it still names this node (a newer login elsewhere keeps its own).
-- KEYS[1] = presence key; ARGV[1] = this node's id
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
