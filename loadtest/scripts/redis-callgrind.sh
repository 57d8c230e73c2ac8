#!/usr/bin/env bash
# Redis's instructions per recorded run of the passes load (issue #16's recording path), for node binaries
# side by side: the counterpart of pass-callgrind.sh with the roles swapped. Each binary runs as usual
# against a fresh private redis-server that runs under `valgrind --tool=callgrind`, while the `passes`
# scenario runs at LOW and then at HIGH runs per second for SECS each, every load on a fresh Redis and node:
#     instructions per marginal run = (I(HIGH) - I(LOW)) / (runs(HIGH) - runs(LOW))
# so Redis's start-up, the players' connections and the per-connection upkeep cancel out. What is left is
# what Redis runs for a run's start, its jumps, its end, its recording and the friend's notification and
# acknowledgement: a count that does not move with whatever else the machine does, unlike Redis's CPU time,
# so a change of a few percent in the commands and scripts a run costs is visible.
# Under valgrind Redis is about 50 times slower: the rates are low, and the runs the load finishes in SECS
# (printed) are what counts, not the rate asked.
#
#   loadtest/scripts/redis-callgrind.sh BASELINE_BIN SERVER_BIN...       (from the repository root)
#   LOW=6 HIGH=12 SECS=25 PLAYERS=200 OUT=target/redis-callgrind
#   NODE_ARGS="--worker-threads 1"        (options given to every node)
#
# The profiles stay in OUT (<label>-<rate>.out). Loopback only; every process started here is stopped at
# exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/scripts/lib.sh
callgrind_setup target/redis-callgrind

# profile BIN LABEL RATE: sets INSTRUCTIONS (Redis's) and RUNS (the runs the load finished).
profile() {
  local bin=$1 label=$2 rate=$3 base="$OUT/$2-$3"
  REDIS_DIR=$(mktemp -d); REDIS_PORT=$(free_port)
  valgrind --tool=callgrind --callgrind-out-file="$base.out" redis-server --bind 127.0.0.1 \
    --port "$REDIS_PORT" --save '' --appendonly no --dir "$REDIS_DIR" >"$base-redis.log" 2>&1 &
  REDIS_PID=$!; PIDS+=("$REDIS_PID")
  for _ in $(seq 600); do # valgrind starts slowly
    redis-cli -p "$REDIS_PORT" PING >/dev/null 2>&1 && break
    kill -0 "$REDIS_PID" 2>/dev/null || { echo "redis-server under valgrind exited: $base-redis.log" >&2; exit 1; }
    sleep 0.1
  done
  # shellcheck disable=SC2086 # NODE_ARGS is a list of options
  run_node "$bin" "$label" "$base-node.log" --redis-timeout-ms 10000 $NODE_ARGS
  passes_load "$rate" 3 "$SECS" "$label" --request-timeout-ms 60000 >"$base.json"
  kill -TERM "$NODE_PID"; wait "$NODE_PID" 2>/dev/null || true
  redis-cli -p "$REDIS_PORT" SHUTDOWN NOSAVE >/dev/null 2>&1 || kill "$REDIS_PID"
  wait "$REDIS_PID" 2>/dev/null || true
  rm -rf "$REDIS_DIR"
  INSTRUCTIONS=$(callgrind_total "$base.out")
  RUNS=$(runs_finished "$base.json")
}

marginal_instructions profile "Redis instructions/run" "$@"
echo "passes at $LOW then $HIGH runs/s for $SECS s, $PLAYERS players; Redis's profiles in $OUT"
