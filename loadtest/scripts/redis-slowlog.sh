#!/usr/bin/env bash
# Where Redis's time per recorded run goes, command by command and script by script: one node (one
# thread) and a private redis-server; the `passes` load warms up, then Redis logs every command with
# its duration (SLOWLOG with a threshold of 0) through a second load, and the log is summed per
# command and per Lua script (named by the SHA1 of the files under server/core/src). A script's time
# includes the commands it calls.
#
#   loadtest/scripts/redis-slowlog.sh [SERVER_BIN]          (from the repository root)
#   RATE=300 SECS=4 PLAYERS=2000 OUT=target/redis-slowlog
#
# The log holds at most 200,000 commands, about 2,500 runs; a longer load keeps only its end (the
# per-run figures would then be too low: the script's `end_run` count per run shows it). Loopback
# only; everything started here is stopped at exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/scripts/lib.sh
RATE=${RATE:-300}; SECS=${SECS:-4}; PLAYERS=${PLAYERS:-2000}
OUT=${OUT:-target/redis-slowlog}; TOOL=${TOOL:-target/release/leapfrog-loadtest}
BIN=${1:-target/release/leapfrog-server}
mkdir -p "$OUT"
new_secrets
stop_at_exit

start_redis "$OUT/redis.log"
run_node "$BIN" slowlog "$OUT/node.log" --worker-threads 1
passes_load "$RATE" 3 3 warm >"$OUT/warm.json"
redis-cli -p "$REDIS_PORT" CONFIG SET slowlog-log-slower-than 0 >/dev/null
redis-cli -p "$REDIS_PORT" CONFIG SET slowlog-max-len 200000 >/dev/null
redis-cli -p "$REDIS_PORT" SLOWLOG RESET >/dev/null
passes_load "$RATE" 0 "$SECS" measured >"$OUT/load.json"
redis-cli -p "$REDIS_PORT" CONFIG SET slowlog-log-slower-than -1 >/dev/null
redis-cli -p "$REDIS_PORT" --json SLOWLOG GET 200000 >"$OUT/slowlog.json"
python3 - "$OUT/slowlog.json" "$OUT/load.json" <<'PY'
import collections, glob, hashlib, json, sys
log = json.loads(open(sys.argv[1], 'rb').read().decode('utf-8', 'replace'))
runs = json.load(open(sys.argv[2]))['runs']
texts = {path.split('/')[-1]: open(path).read() for path in glob.glob('server/core/src/**/*.lua', recursive=True)}
names = {hashlib.sha1(text.encode()).hexdigest(): name for name, text in texts.items()}
prefix = texts.get('live_log_key.lua', '')  # prepended to some scripts (runs/checkpoint.rs)
names.update({hashlib.sha1((prefix + text).encode()).hexdigest(): f'live_log_key+{name}' for name, text in texts.items()})
totals = collections.defaultdict(lambda: [0, 0])
for entry in log:
    args = entry[3]
    key = args[0].lower()
    if key in ('evalsha', 'eval') and len(args) > 1:
        key = f'{key} {names.get(args[1], args[1][:12])}'
    totals[key][0] += 1
    totals[key][1] += entry[2]
print(f'{len(log)} commands logged over {runs} runs: {sum(t[1] for t in totals.values()) / runs:.1f} µs of commands per run')
print('| command or script | µs per run | calls per run | µs per call |')
print('|---|---|---|---|')
for key, (calls, usec) in sorted(totals.items(), key=lambda item: -item[1][1])[:25]:
    print(f'| `{key}` | {usec / runs:.1f} | {calls / runs:.2f} | {usec / calls:.1f} |')
PY
