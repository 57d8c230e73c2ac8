-- A friend request reaching its recipient, on the recipient's slot: recorded in `req:in` while the
-- recipient is under the hourly limit of requests received, and whether to tell them: not when the same
-- sender's request told them within the quiet period (asking again after a block and an unblock, say).
-- KEYS: 1 the recipient's `req:in` (hash), 2 requests they received this hour (counter),
--   3 senders that told them lately (sorted set: sender -> unix ms)
-- ARGV: 1 the sender, 2 now ms, 3 most requests received per hour, 4 the quiet period in ms
-- Returns {status, seconds}: status "pending" (already asked), "rate_limited" (seconds = until the
-- hour's count expires), "added" (tell the recipient) or "added_quietly" (do not).
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  return {'pending', 0}
end
local received = tonumber(redis.call('GET', KEYS[2]) or '0')
if received >= tonumber(ARGV[3]) then
  return {'rate_limited', redis.call('TTL', KEYS[2])}
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if redis.call('INCR', KEYS[2]) == 1 then
  redis.call('EXPIRE', KEYS[2], 3600)
end
local now = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[4]))
if redis.call('ZSCORE', KEYS[3], ARGV[1]) then
  return {'added_quietly', 0}
end
redis.call('ZADD', KEYS[3], now, ARGV[1])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
return {'added', 0}
