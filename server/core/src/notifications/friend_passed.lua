-- A "friend passed you" notification, coalesced: the first pass in a window is stored as is; further
-- passes within `window` ms only update the open window; when a stale window is found (or flushed by
-- flush_passed.lua) its passes become one summary entry. Nothing is lost if the node that opened a window
-- dies: the next pass, flush or read of the recipient finds it stale and emits it. A pass from a run that
-- already notified this recipient (a retried recording) changes nothing.
-- KEYS[1] = the recipient's inbox stream, KEYS[2] = their coalescing window (hash),
-- KEYS[3] = the runs that already notified them (sorted set)
-- ARGV: 1 now ms, 2 window ms, 3 event JSON, 4 inbox max length, 5 inbox TTL seconds,
--       6 passer's name as a JSON string or "", 7 their score, 8 recipient's score, 9 board JSON,
--       10 the passing run's id
-- Returns {"duplicate"}, {"coalesced"}, or {"stored", id, json, ...} with every entry written.
local now = tonumber(ARGV[1])
if redis.call('ZADD', KEYS[3], 'NX', now, ARGV[10]) == 0 then
  return {'duplicate'}
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - 86400000)
redis.call('PEXPIRE', KEYS[3], 86400000)
local started = redis.call('HGET', KEYS[2], 'started')
-- A window of 0 disables coalescing. Times are the passing runs' end times, which may arrive slightly out
-- of order, so a pass older than the window's start still belongs to it.
if started and tonumber(ARGV[2]) > 0 and now - tonumber(started) < tonumber(ARGV[2]) then
  redis.call('HINCRBY', KEYS[2], 'count', 1)
  if tonumber(ARGV[7]) > tonumber(redis.call('HGET', KEYS[2], 'best') or '0') then
    redis.call('HSET', KEYS[2], 'best', ARGV[7])
  end
  redis.call('HSET', KEYS[2], 'your', ARGV[8], 'board', ARGV[9])
  local names = tonumber(redis.call('HGET', KEYS[2], 'name_count') or '0')
  if ARGV[6] ~= '' and names < 5 then
    local list = redis.call('HGET', KEYS[2], 'names') or ''
    if list ~= '' then list = list .. ',' end
    redis.call('HSET', KEYS[2], 'names', list .. ARGV[6], 'name_count', names + 1)
  end
  return {'coalesced'}
end
local out = {'stored'}
if started then
  local count = tonumber(redis.call('HGET', KEYS[2], 'count') or '0')
  if count > 0 then
    local summary = '{"friends_passed_summary":{"count":' .. count .. ',"names":[' .. (redis.call('HGET', KEYS[2], 'names') or '')
      .. '],"best_score":' .. redis.call('HGET', KEYS[2], 'best') .. ',"your_score":' .. redis.call('HGET', KEYS[2], 'your')
      .. ',"board":' .. redis.call('HGET', KEYS[2], 'board') .. '}}'
    local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', 'event', summary, 'created', ARGV[1])
    table.insert(out, id)
    table.insert(out, summary)
  end
  redis.call('DEL', KEYS[2])
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', 'event', ARGV[3], 'created', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('HSET', KEYS[2], 'started', ARGV[1], 'count', 0, 'best', 0, 'your', ARGV[8], 'board', ARGV[9], 'names', '', 'name_count', 0)
table.insert(out, id)
table.insert(out, ARGV[3])
return out
