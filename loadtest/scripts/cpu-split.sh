#!/usr/bin/env bash
# Where a jump round trip's CPU goes, for a node beside the echo server: each process is sampled by
# `perf record` (cpu-clock, call graphs) during the jump load at machine speed, and its samples are split
# into user space and the kernel, the kernel's by the syscall it serves (sendto: a WebSocket frame out,
# recvfrom: one in, writev and friends: Redis), and turned into µs per round trip with the process's
# utime+stime from /proc over the same seconds. Sampling with call graphs slows both processes, so the
# shares are the figure to read; node-cost.sh gives CPU per round trip unsampled.
#
#   loadtest/scripts/cpu-split.sh [BIN]        (from the repository root; default target/release/leapfrog-server)
#   PLAYERS=1000 SECS=7 NODE_ARGS="--worker-threads 1" OUT=target/cpu-split loadtest/scripts/cpu-split.sh BIN
#
# The node runs with NODE_ARGS (default `--worker-threads 1`, as deploy/k8s runs it) and the echo server
# with one worker (TOKIO_WORKER_THREADS=1) to match. Needs perf allowed to sample the processes
# (kernel.perf_event_paranoid); prints why not otherwise. Loopback only; every process started here is
# stopped on exit; each load is bounded (SECS of sampling inside SECS + 5 of load).
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/scripts/lib.sh
BIN=${1:-target/release/leapfrog-server}
PLAYERS="${PLAYERS:-1000}"
SECS="${SECS:-7}"
NODE_ARGS="${NODE_ARGS:---worker-threads 1}"
TOOL="${TOOL:-target/release/leapfrog-loadtest}"
OUT="${OUT:-target/cpu-split}"
mkdir -p "$OUT"
need_perf
new_secrets
export LEAPFROG_JWT_SECRET="$JWT" # the load tool signs the players' tokens with it
stop_at_exit

# split NAME PID: samples PID for SECS while the jump load (started by the caller) runs; prints the split.
split() {
  local name=$1 pid=$2 before after
  sleep 2 # past the ramp
  before=$(cpu_us "$pid")
  perf record -e cpu-clock -F 1999 -g -p "$pid" -o "$OUT/$name.data" -- sleep "$SECS" >/dev/null 2>&1
  after=$(cpu_us "$pid")
  perf script -i "$OUT/$name.data" 2>/dev/null >"$OUT/$name.script"
  echo $((after - before)) >"$OUT/$name.cpu_us"
}

# report NAME: the split of NAME's samples, in shares and µs per round trip (perf-split.py).
report() {
  local name=$1
  python3 loadtest/scripts/perf-split.py "$OUT/$name.script" "$(cat "$OUT/$name.cpu_us")" \
    "$(cat "$OUT/$name.trips")" "$name" "round trip"
}

# measure NAME URL PID [options]: the load on URL with PID sampled inside it.
measure() {
  local name=$1 url=$2 pid=$3; shift 3
  jump_load "$url" $((SECS + 5)) "$@" >"$OUT/$name.json" &
  local load=$!
  split "$name" "$pid"
  wait "$load"
  # The round trips of the sampled seconds: the load's rate (lib.sh's round trips over its elapsed
  # seconds) times the seconds sampled.
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(int(float(sys.argv[2]) / r["elapsed_s"] * float(sys.argv[3])))' \
    "$OUT/$name.json" "$(round_trips "$OUT/$name.json")" "$SECS" >"$OUT/$name.trips"
  report "$name"
}

port=$(free_port)
TOKIO_WORKER_THREADS=1 "$TOOL" echo-server --listen "127.0.0.1:$port" 2>/dev/null &
echo_pid=$!; PIDS+=("$echo_pid"); sleep 0.5
measure echo "ws://127.0.0.1:$port/" "$echo_pid" --target echo
kill "$echo_pid"

start_redis "$OUT/redis.log" --maxclients 50000
# shellcheck disable=SC2086 # NODE_ARGS is a list of options
run_node "$BIN" cpu-split "$OUT/node.log" --max-unauthenticated 100000 $NODE_ARGS
measure node "ws://127.0.0.1:$PUBLIC_PORT/ws" "$NODE_PID" --no-import
