-- Prepended to load_run.lua and end_run.lua (checkpoint.rs): where a live run's log is, by the layout
-- its meta's `format` names, in one place for both. `format` 3 (this build's) and 2 keep it at
-- '<log>:<epoch>'; a run without the field keeps it at the log key itself. A layout this build does not
-- know (a newer version's) is refused rather than misread: nil, then the LAYOUT error to return.
local function live_log_key(log_key, format, epoch)
  if not format then
    return log_key
  end
  if format ~= '2' and format ~= '3' then
    return nil, redis.error_reply('LAYOUT run stored in layout ' .. format .. ', this node reads up to 3')
  end
  return log_key .. ':' .. epoch
end

