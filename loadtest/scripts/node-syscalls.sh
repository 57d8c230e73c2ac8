#!/usr/bin/env bash
# Each node binary's system calls per jump round trip, call by call (recvfrom, sendto, epoll_wait,
# writev, read, write) and its context switches, under the jump load of node-cost.sh (PLAYERS at machine
# pace for SECS, one worker thread): perf stat of the syscalls:sys_enter_* tracepoints on the node's pid.
#
#   loadtest/scripts/node-syscalls.sh BASELINE_BIN CANDIDATE_BIN...     (from the repository root)
#   PLAYERS=1000 SECS=8 OUT=target/node-syscalls loadtest/scripts/node-syscalls.sh target/release/leapfrog-server
#
# Loopback only; a private redis-server and every process started here are stopped on exit; each load
# is bounded by SECS. Needs perf with the syscall tracepoints readable (as root).
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/scripts/lib.sh
PLAYERS="${PLAYERS:-1000}"
SECS="${SECS:-8}"
TOOL="${TOOL:-target/release/leapfrog-loadtest}"
OUT="${OUT:-target/node-syscalls}"
mkdir -p "$OUT"
need_perf
new_secrets
export LEAPFROG_JWT_SECRET="$JWT" # the load tool signs the players' tokens with it
stop_at_exit
start_redis "$OUT/redis.log" --maxclients 50000
EVENTS=syscalls:sys_enter_recvfrom,syscalls:sys_enter_sendto,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_writev,syscalls:sys_enter_read,syscalls:sys_enter_write,context-switches
index=0
for bin in "$@"; do
  index=$((index + 1))
  redis-cli -p "$REDIS_PORT" FLUSHALL >/dev/null
  run_node "$bin" "node-syscalls-$index" "$OUT/node-$index.log" --max-unauthenticated 100000 --worker-threads 1
  perf stat -x, -o "$OUT/node-$index.perf" -e "$EVENTS" -p "$NODE_PID" >/dev/null 2>&1 &
  perf_pid=$!
  jump_load "ws://127.0.0.1:$PUBLIC_PORT/ws" "$SECS" --no-import >"$OUT/node-$index.json"
  kill -INT "$perf_pid"; wait "$perf_pid" || true
  trips=$(round_trips "$OUT/node-$index.json")
  echo "$index: $bin, $trips round trips; per round trip:"
  awk -F, -v n="$trips" '$3 ~ /sys_enter|context/ { sub("syscalls:sys_enter_", "", $3); printf "  %-18s %.4f\n", $3, $1 / n }' \
    "$OUT/node-$index.perf"
  kill "$NODE_PID"; wait "$NODE_PID" 2>/dev/null || true
done
