#!/usr/bin/env bash
# Instructions per recorded run of the passes load (issue #16's recording path), for node binaries side by
# side: each binary runs under `valgrind --tool=callgrind` against a fresh private redis-server while the
# `passes` scenario (pairs of friends passing each other: every run after a pair's first passes one friend)
# runs at LOW and then at HIGH runs per second for SECS each, every load on a fresh node, and
#     instructions per marginal run = (I(HIGH) - I(LOW)) / (runs(HIGH) - runs(LOW))
# so the start-up, the players' connections, their idle ticks and the shutdown cancel out. What is left is
# a run's start, its jumps, its end, its recording and the friend's notification and acknowledgement.
# Under valgrind the node is about 50 times slower: the rates are low, and the runs the node manages in
# SECS (printed) are what counts, not the rate asked.
#
#   loadtest/scripts/pass-callgrind.sh BASELINE_BIN SERVER_BIN...       (from the repository root)
#   LOW=6 HIGH=12 SECS=25 PLAYERS=200 OUT=target/pass-callgrind
#   NODE_ARGS="--worker-threads 1"        (options given to every node)
#
# The profiles stay in OUT (<label>-<rate>.out) for `callgrind_annotate --inclusive=yes`. Loopback only;
# every process started here is stopped at exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/scripts/lib.sh
callgrind_setup target/pass-callgrind

# profile BIN LABEL RATE: sets INSTRUCTIONS (the node's) and RUNS (the runs the load finished).
profile() {
  local bin=$1 label=$2 rate=$3 base="$OUT/$2-$3" node
  start_redis "$base-redis.log"
  PUBLIC_PORT=$(free_port); ADMIN_PORT=$(free_port)
  LEAPFROG_LOG=warn valgrind --tool=callgrind --callgrind-out-file="$base.out" "$bin" \
    --redis-url "redis://127.0.0.1:$REDIS_PORT" --jwt-secret "$JWT" --admin-secret "$ADMIN" --node-id "$label" \
    --listen "127.0.0.1:$PUBLIC_PORT" --admin-listen "127.0.0.1:$ADMIN_PORT" \
    --timing-tolerance-ms 100000000 --rate-per-second 100000 --rate-burst 100000 --max-runs-per-hour 10000000 \
    --coalesce-window-ms 0 --max-connections 100000 --redis-timeout-ms 10000 $NODE_ARGS >"$base-node.log" 2>&1 &
  node=$!; PIDS+=("$node")
  for _ in $(seq 600); do # valgrind starts slowly
    curl -fs "http://127.0.0.1:$PUBLIC_PORT/readyz" >/dev/null 2>&1 && break
    kill -0 "$node" 2>/dev/null || { echo "the node under valgrind exited: $base-node.log" >&2; exit 1; }
    sleep 0.1
  done
  passes_load "$rate" 3 "$SECS" "$label" --request-timeout-ms 60000 >"$base.json"
  kill -TERM "$node"; wait "$node" 2>/dev/null || true
  kill "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null || true
  rm -rf "$REDIS_DIR"
  INSTRUCTIONS=$(callgrind_total "$base.out")
  RUNS=$(runs_finished "$base.json")
}

marginal_instructions profile "instructions/run" "$@"
echo "passes at $LOW then $HIGH runs/s for $SECS s, $PLAYERS players; profiles in $OUT"
