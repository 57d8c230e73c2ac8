#!/usr/bin/env bash
# Where Redis's CPU goes on the recording path (issue #16): one node binary against a fresh private
# redis-server runs the `passes` scenario at RATE, and the report gives, per run of the load:
#   - Redis CPU (utime+stime from /proc, as the load tool measures it) and the reads it served (its
#     `total_reads_processed`: one per request or group of requests a client sent together);
#   - the time Redis spent running each command (INFO commandstats `usec`, a script's commands inside
#     its EVALSHA), which leaves out reading, writing and waiting for sockets;
#   - where `perf record` works, the share of Redis's samples spent in the kernel and in the top symbols.
#
#   loadtest/scripts/redis-profile.sh SERVER_BIN        (from the repository root)
#   RATE=300 SECS=10 PLAYERS=2000 NODE_ARGS="--worker-threads 1" OUT=target/redis-profile
#
# Loopback only; every process started here is stopped at exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/scripts/lib.sh
RATE=${RATE:-300}; SECS=${SECS:-10}; PLAYERS=${PLAYERS:-2000}; NODE_ARGS=${NODE_ARGS:-}
OUT=${OUT:-target/redis-profile}; TOOL=${TOOL:-target/release/leapfrog-loadtest}
mkdir -p "$OUT"
new_secrets
stop_at_exit
start_redis "$OUT/redis.log"
# shellcheck disable=SC2086 # NODE_ARGS is a list of options
run_node "$1" redis-profile "$OUT/node.log" $NODE_ARGS
snapshot() { redis-cli -p "$REDIS_PORT" INFO all | tr -d '\r' >"$OUT/info.$1"; }
passes_load "$RATE" 2 3 warm >/dev/null # the players, their friendships and the scripts in place
snapshot before
perf_pid=""
if perf record -e cpu-clock -o /dev/null true >/dev/null 2>&1; then
  perf record -e cpu-clock -F 2000 -g -p "$REDIS_PID" -o "$OUT/redis.perf" >/dev/null 2>&1 &
  perf_pid=$!
fi
passes_load "$RATE" 2 "$SECS" m --cpu-pid "redis=$REDIS_PID" >"$OUT/load.json"
[ -n "$perf_pid" ] && { kill -INT "$perf_pid"; wait "$perf_pid" || true; }
snapshot after

python3 - "$OUT" <<'PY'
import json, re, sys
out = sys.argv[1]
def info(name):
    stats, commands = {}, {}
    for line in open(f"{out}/info.{name}"):
        m = re.match(r"cmdstat_([\w|]+):calls=(\d+),usec=(\d+)", line)
        if m:
            commands[m[1]] = (int(m[2]), int(m[3]))
        elif ":" in line:
            key, _, value = line.strip().partition(":")
            stats[key] = value
    return stats, commands
(s0, c0), (s1, c1) = info("before"), info("after")
report = json.load(open(f"{out}/load.json"))
runs = report["runs"]  # every run of the load, as the counters cover all of it
redis = {p["name"]: p for p in report["cpu"]["processes"]}["redis"]
reads = int(s1["total_reads_processed"]) - int(s0["total_reads_processed"])
print(f"runs {runs}; Redis CPU {redis['us_per_run']:.0f} µs per run over the load's window; "
      f"reads served {reads / runs:.2f} per run")
rows = []
for name, (calls, usec) in c1.items():
    calls0, usec0 = c0.get(name, (0, 0))
    if calls > calls0:
        rows.append((usec - usec0, calls - calls0, name))
total = sum(row[0] for row in rows)
print(f"time in commands {total / runs:.0f} µs per run (commandstats; a script's commands inside its EVALSHA too)")
print()
print("| command | calls per run | µs per run | µs per call |")
print("|---|---|---|---|")
for usec, calls, name in sorted(rows, reverse=True)[:15]:
    print(f"| {name} | {calls / runs:.2f} | {usec / runs:.1f} | {usec / calls:.2f} |")
PY
if [ -s "$OUT/redis.perf" ]; then
  echo
  echo "Redis's samples by where they ran (perf, cpu-clock):"
  perf report -i "$OUT/redis.perf" --no-children --sort dso --stdio -g none 2>/dev/null | grep '%' | head -5
  perf report -i "$OUT/redis.perf" --no-children --sort symbol --stdio -g none 2>/dev/null | grep '%' | head -12
fi
