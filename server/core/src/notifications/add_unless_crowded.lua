-- A notification that must never push others out of the inbox (a friend request, which a stranger can
-- send): added only while the inbox holds fewer than `room` entries, and never trimming. The pending
-- request itself stays listed by `list_friend_requests` whether or not it was added here.
-- KEYS: 1 the inbox stream
-- ARGV: 1 room (entries), 2 inbox TTL seconds, 3 the event (JSON, built by Rust), 4 now ms
-- Returns the new entry's id, or false when the inbox is too full.
if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then
  return false
end
local id = redis.call('XADD', KEYS[1], '*', 'event', ARGV[3], 'created', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return id
