#!/usr/bin/env bash
# Redis cost per jump, per pass and per finished run, for two node binaries side by side (issue #16):
# each binary gets a fresh private redis-server (no persistence) on a free loopback port and one node, then
#   1. jumps: PLAYERS players (500; no friends imported) at machine speed for SECS seconds, Redis's CPU
#      (utime+stime from /proc) over the load divided by the jumps answered, and the commands' calls and
#      own time per jump from INFO commandstats;
#   2. memory: 65 s later (runs left live time out after 10 s and are swept, settled runs are kept
#      RETENTION_MS, an old epoch's live log a minute), used_memory over the empty Redis's, divided by
#      the runs answered, with the keys the runs leave counted by kind;
#   3. passes: 2,000 players passing each other at 200 passes per second for SECS seconds, Redis's and the
#      node's CPU per pass (each run in this scenario passes the player's friend once).
# Usage: loadtest/scripts/redis-cost.sh BASELINE_SERVER_BIN SERVER_BIN LOADTEST_BIN [out dir]
# (SECS=20, RETENTION_MS=5000, PLAYERS=500; JUMPS_ONLY=1 stops after step 1; the retention reaches the
# nodes as LEAPFROG_SETTLED_RUN_RETENTION_MS, which a build without the option ignores). Everything is on
# loopback, bounded, and stopped at exit.
set -euo pipefail
BASE=$1; NEW=$2; TOOL=$3; OUT=${4:-target/redis-cost}
SECS=${SECS:-20}; RETENTION_MS=${RETENTION_MS:-5000}; PLAYERS=${PLAYERS:-500}
mkdir -p "$OUT"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
new_secrets
stop_at_exit
stats() { redis-cli -p "$REDIS_PORT" INFO commandstats | tr -d '\r' | grep '^cmdstat_' ; }
memory() { redis-cli -p "$REDIS_PORT" INFO memory | tr -d '\r' | awk -F: '$1 == "used_memory" { print $2 }'; }
# keys_bytes PATTERN: count and MEMORY USAGE sum of the keys matching PATTERN
keys_bytes() {
  redis-cli -p "$REDIS_PORT" --scan --pattern "$1" | sed 's/^/MEMORY USAGE /' | redis-cli -p "$REDIS_PORT" \
    | awk '{ n++; s += $1 } END { printf "%d keys, %d bytes", n, s }'
}
# commands_per_op BEFORE AFTER OPS: the commands' usec and calls per operation, busiest first
commands_per_op() {
  python3 - "$1" "$2" "$3" <<'PY'
import re, sys
def read(path):
    out = {}
    for line in open(path):
        m = re.match(r'cmdstat_(\w+):calls=(\d+),usec=(\d+)', line)
        if m: out[m[1]] = (int(m[2]), int(m[3]))
    return out
a, b, ops = read(sys.argv[1]), read(sys.argv[2]), float(sys.argv[3])
rows = []
for cmd, (calls, usec) in b.items():
    c0, u0 = a.get(cmd, (0, 0))
    if calls > c0: rows.append((usec - u0, calls - c0, cmd))
rows.sort(reverse=True)
total = sum(r[0] for r in rows)
print(f"  commands' own time: {total/ops:.2f} us per op; " + ", ".join(f"{cmd} {calls/ops:.2f} calls {usec/ops:.2f} us" for usec, calls, cmd in rows[:8]))
PY
}

# memory_and_passes: steps 2 and 3 for the node and Redis `measure` started (bash's dynamic scope: its
# locals label, node, redis_pid, mem0 and common, and it sets its cpu0, cpu1 and runs).
memory_and_passes() {
  sleep 65
  local mem1; mem1=$(memory)
  echo "memory after the window: $((mem1 - mem0)) bytes over the empty Redis = $(( (mem1 - mem0) / runs )) bytes per run"
  echo "  run keys (lf:{run:*): $(keys_bytes 'lf:{run:*')"
  echo "  runs started this hour (lf:{p:*}:runs:started): $(keys_bytes 'lf:{p:*}:runs:started')"
  echo "  bests kept for replays (lf:{p:*}:best:*): $(keys_bytes 'lf:{p:*}:best:*')"
  echo "  boards (lf:{lb:*): $(keys_bytes 'lf:{lb:*')"
  echo "  index of unsettled runs (lf:{runs:*): $(keys_bytes 'lf:{runs:*')"

  local node0 node1
  stats >"$OUT/$label-passes.before"; cpu0=$(cpu_us "$redis_pid"); node0=$(cpu_us "$node")
  "$TOOL" "${common[@]}" --scenario passes --players 2000 --rate 200 --ramp-secs 3 --duration-secs "$SECS" \
    --prefix r >"$OUT/$label-passes.json"
  cpu1=$(cpu_us "$redis_pid"); node1=$(cpu_us "$node"); stats >"$OUT/$label-passes.after"
  runs=$(jq .runs "$OUT/$label-passes.json")
  echo "passes: $runs runs passing a friend, $(jq .notifications "$OUT/$label-passes.json") notifications; Redis CPU $(python3 -c "print(round(($cpu1-$cpu0)/$runs, 1))") us per pass"
  echo "  node CPU $((node1 - node0)) us = $(python3 -c "print(round(($node1-$node0)/$runs, 1))") us per pass (the whole run: its start, jumps, end and recording)"
  commands_per_op "$OUT/$label-passes.before" "$OUT/$label-passes.after" "$runs"
}

measure() { # LABEL BIN
  local label=$1 bin=$2 public admin node redis_pid
  start_redis "$OUT/$label-redis.log"
  LEAPFROG_SETTLED_RUN_RETENTION_MS=$RETENTION_MS run_node "$bin" "cost-$label" "$OUT/$label-node.log" \
    --run-idle-timeout-ms 10000 --sweep-interval-ms 200 --settle-grace-ms 500
  redis_pid=$REDIS_PID; node=$NODE_PID; public=$PUBLIC_PORT; admin=$ADMIN_PORT
  local common=(--url "ws://127.0.0.1:$public/ws" --admin "127.0.0.1:$admin" --jwt-secret "$JWT"
    --admin-secret "$ADMIN" --progress-secs 0 --json)

  echo "== $label ($bin)"
  local mem0 cpu0 cpu1 jumps runs
  mem0=$(memory); stats >"$OUT/$label-jumps.before"; cpu0=$(cpu_us "$redis_pid")
  "$TOOL" "${common[@]}" --players "$PLAYERS" --pace fast --mix run=1 --skill 800 --no-import --ramp-secs 3 \
    --duration-secs "$SECS" --prefix j >"$OUT/$label-jumps.json"
  cpu1=$(cpu_us "$redis_pid"); stats >"$OUT/$label-jumps.after"
  jumps=$(jq .jumps "$OUT/$label-jumps.json"); runs=$(jq .runs "$OUT/$label-jumps.json")
  echo "jumps: $jumps jumps, $runs runs; Redis CPU $(( (cpu1 - cpu0) )) us = $(python3 -c "print(round(($cpu1-$cpu0)/$jumps, 2))") us per jump"
  commands_per_op "$OUT/$label-jumps.before" "$OUT/$label-jumps.after" "$jumps"
  [[ ${JUMPS_ONLY:-0} == 1 ]] || memory_and_passes
  kill "$node" "$redis_pid"; wait "$node" "$redis_pid" 2>/dev/null || true
  rm -rf "$REDIS_DIR"
}

measure baseline "$BASE"
measure new "$NEW"
