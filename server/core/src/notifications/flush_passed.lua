-- Closes a recipient's coalescing window once it is at least `window` ms old: its passes become one
-- summary entry in the inbox (none if no pass came after the first). Returns {id, summary JSON} or {}.
-- KEYS[1] = inbox stream, KEYS[2] = coalescing window; ARGV: 1 now ms, 2 window ms, 3 max length, 4 TTL s
local started = redis.call('HGET', KEYS[2], 'started')
if not started or tonumber(ARGV[1]) - tonumber(started) < tonumber(ARGV[2]) then
  return {}
end
local count = tonumber(redis.call('HGET', KEYS[2], 'count') or '0')
local out = {}
if count > 0 then
  local summary = '{"friends_passed_summary":{"count":' .. count .. ',"names":[' .. (redis.call('HGET', KEYS[2], 'names') or '')
    .. '],"best_score":' .. redis.call('HGET', KEYS[2], 'best') .. ',"your_score":' .. redis.call('HGET', KEYS[2], 'your')
    .. ',"board":' .. redis.call('HGET', KEYS[2], 'board') .. '}}'
  local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'event', summary, 'created', ARGV[1])
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  out = {id, summary}
end
redis.call('DEL', KEYS[2])
return out
