-- A friend request leaving its sender, on the sender's slot: recorded in `req:out` only while the sender
-- is under both of their limits, checked and written in one step so concurrent requests cannot pass a
-- cap together. A request already pending changes nothing and costs nothing.
-- KEYS: 1 the sender's `req:out` (hash), 2 requests the sender sent this hour (counter)
-- ARGV: 1 the recipient, 2 now ms, 3 most pending requests, 4 most requests per hour
-- Returns {status, seconds}: status "pending" (already asked), "rate_limited" (seconds = until the
-- hour's count expires), "pending_cap" or "added".
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  return {'pending', 0}
end
local sent = tonumber(redis.call('GET', KEYS[2]) or '0')
if sent >= tonumber(ARGV[4]) then
  return {'rate_limited', redis.call('TTL', KEYS[2])}
end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then
  return {'pending_cap', 0}
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if redis.call('INCR', KEYS[2]) == 1 then
  redis.call('EXPIRE', KEYS[2], 3600)
end
return {'added', 0}
