-- "Friend passed you" notifications of one recipient, coalesced. Mode "pass" records a pass: the first
-- of a window is stored as is and opens the window; later ones within `window` ms only update the window
-- (a window of 0 disables coalescing and opens none); a window found stale is emitted first. Mode "flush"
-- emits the window if it is over. A window's passes become one summary entry of plain fields (count,
-- best, your, board, names); Rust turns them into the event, so no JSON is built here. A window nothing
-- was coalesced into has nothing to emit and needs no flush: the pass that coalesces first into it tells
-- the caller when to flush it. Nothing is lost if the node that would flush a window dies (or runs a
-- version that left the flush to the window's opener): the next pass, flush or read of the recipient
-- emits it, and a window lives as long as the inbox. A pass from a run that already notified this
-- recipient (a retried recording) changes nothing.
-- KEYS: 1 the inbox stream, 2 the coalescing window (hash), 3 the runs that already notified (sorted set)
-- ARGV: 1 mode ("pass" or "flush"), 2 now ms, 3 window ms, 4 inbox max length, 5 inbox TTL seconds;
--   "pass" only: 6 the pass event (JSON, built by Rust), 7 the passer's display name or "",
--   8 their score, 9 the recipient's score, 10 the board (JSON, built by Rust), 11 the passing run's id,
--   12 the most names a summary keeps
-- Returns {status, {{id, {field, value, ...}}, ...}, flush_at} with every entry written; status is
-- "stored", "coalesced", "duplicate" or "flushed"; flush_at is the ms the window closes when this pass
-- is the first coalesced into it, or when a flush came before the window closed (the caller flushes it
-- then), else 0.
-- A script that fails midway keeps what it wrote before the failure, so every key is read or written
-- first by a command that fails on a key of the wrong type before anything is written (the window's and
-- the runs' by their reads; the inbox by the first `XADD`, which every path that writes it makes before
-- any other write, and which a path that coalesces never makes), and the pass is marked as told only
-- after its entries are written: a failed pass leaves nothing that would make its retry a "duplicate".
local now = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local written = {}

local function add(fields)
  table.insert(fields, 'created')
  table.insert(fields, ARGV[2])
  local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', unpack(fields))
  redis.call('EXPIRE', KEYS[1], ARGV[5])
  table.insert(written, {id, fields})
end

local function emit_window()
  local count = tonumber(redis.call('HGET', KEYS[2], 'count') or '0')
  if count > 0 then
    local w = redis.call('HMGET', KEYS[2], 'best', 'your', 'board', 'names')
    add({'kind', 'summary', 'count', tostring(count), 'best', w[1], 'your', w[2], 'board', w[3],
      'names', w[4] or ''})
  end
  redis.call('DEL', KEYS[2])
end

local started = redis.call('HGET', KEYS[2], 'started')
if ARGV[1] == 'flush' then
  if started and now - tonumber(started) >= window then
    emit_window()
  elseif started and tonumber(redis.call('HGET', KEYS[2], 'count') or '0') > 0 then
    -- Early (the caller's clock is behind the one that opened the window): flush again then.
    return {'flushed', written, tonumber(started) + window}
  end
  return {'flushed', written, 0}
end

if redis.call('ZSCORE', KEYS[3], ARGV[11]) then
  return {'duplicate', written, 0}
end

local function told()
  redis.call('ZADD', KEYS[3], now, ARGV[11])
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - 86400000)
  redis.call('PEXPIRE', KEYS[3], 86400000)
end
-- Times are the passing runs' end times, which may arrive slightly out of order, so a pass older than
-- the window's start still belongs to it.
if started and window > 0 and now - tonumber(started) < window then
  local count = redis.call('HINCRBY', KEYS[2], 'count', 1)
  if tonumber(ARGV[8]) > tonumber(redis.call('HGET', KEYS[2], 'best') or '0') then
    redis.call('HSET', KEYS[2], 'best', ARGV[8])
  end
  redis.call('HSET', KEYS[2], 'your', ARGV[9], 'board', ARGV[10])
  local names = tonumber(redis.call('HGET', KEYS[2], 'name_count') or '0')
  if ARGV[7] ~= '' and names < tonumber(ARGV[12]) then
    local list = redis.call('HGET', KEYS[2], 'names') or ''
    if list ~= '' then list = list .. '\n' end
    redis.call('HSET', KEYS[2], 'names', list .. ARGV[7], 'name_count', names + 1)
  end
  told()
  local flush_at = 0
  if count == 1 then
    flush_at = tonumber(started) + window
  end
  return {'coalesced', written, flush_at}
end
if started then
  emit_window()
end
add({'event', ARGV[6]})
if window > 0 then
  redis.call('HSET', KEYS[2], 'started', ARGV[2], 'count', 0, 'best', 0, 'your', ARGV[9],
    'board', ARGV[10], 'names', '', 'name_count', 0)
  redis.call('EXPIRE', KEYS[2], ARGV[5])
end
told()
return {'stored', written, 0}
