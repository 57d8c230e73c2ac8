#!/usr/bin/env bash
# Jump round trips served on this box at 1,000 connections (machine speed, closed loop) by each way of
# running a node binary, beside the echo server in the same call, with each setup's CPU per round trip
# (utime+stime from /proc, of every node process together):
#
#   loadtest/scripts/box-throughput.sh BIN            (from the repository root)
#   PLAYERS=1000 SECS=10 ROUNDS=2 OUT=target/box-throughput loadtest/scripts/box-throughput.sh target/release/leapfrog-server
#
# The setups: the echo server (tokio's default workers); one node with a worker per core
# (`--worker-threads 0`); one node on one thread (`--worker-threads 1`); and two nodes, each on one
# thread, as deploy/k8s runs a node per core (one per core of this 2-core box; the tool splits the players
# between them with `--second-url`; one Redis). Issue #16 sets the node's round trips against the echo
# server's (goal: 0.6 at 1,000 connections). On a box whose cores the tool, the nodes and Redis share,
# round trips follow the CPU a round trip costs them all, shown beside each count.
#
# Loopback only; a private redis-server (no persistence) and every process started here are stopped on
# exit; each load is bounded by SECS; ROUNDS repeats the whole sequence.
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/scripts/lib.sh
BIN=${1:?usage: box-throughput.sh NODE_BIN}
PLAYERS="${PLAYERS:-1000}"
SECS="${SECS:-10}"
ROUNDS="${ROUNDS:-2}"
TOOL="${TOOL:-target/release/leapfrog-loadtest}"
OUT="${OUT:-target/box-throughput}"
mkdir -p "$OUT"
new_secrets
export LEAPFROG_JWT_SECRET="$JWT" # the load tool signs the players' tokens with it
stop_at_exit
TICK=$(getconf CLK_TCK)
# ticks PID...: utime+stime of the processes together, in clock ticks.
ticks() { local total=0 user system; for pid in "$@"; do read -r user system < <(cpu_split_ticks "$pid"); total=$((total + user + system)); done; echo "$total"; }

start_redis "$OUT/redis.log" --maxclients 50000
# node WORKERS: a node of BIN with `--worker-threads WORKERS` on the private Redis (lib.sh's run_node);
# sets NODE_PID and NODE_URL.
NODES=0
node() {
  NODES=$((NODES + 1))
  run_node "$BIN" "box-w$1" "$OUT/node-$NODES.log" --worker-threads "$1" --max-unauthenticated 100000
  NODE_URL="ws://127.0.0.1:$PUBLIC_PORT/ws"
}
# load NAME URL PIDS [options]: the jump load on URL; prints the round trips and the CPU per round trip of
# PIDS (a space-separated list), and keeps the count in $OUT/NAME.trips.
load() {
  local name=$1 url=$2 pids=$3; shift 3
  local before after trips
  # shellcheck disable=SC2086 # PIDS is a list
  before=$(ticks $pids)
  jump_load "$url" "$SECS" "$@" >"$OUT/$name.json"
  # shellcheck disable=SC2086
  after=$(ticks $pids)
  trips=$(round_trips "$OUT/$name.json")
  echo "$trips" >"$OUT/$name.trips"
  printf '%-36s %9d round trips in %s s, %6.2f µs of CPU per round trip\n' "$name" "$trips" "$SECS" \
    "$(echo "($after - $before) / $TICK * 1000000 / $trips" | bc -l)"
}

for round in $(seq "$ROUNDS"); do
  port=$(free_port)
  "$TOOL" echo-server --listen "127.0.0.1:$port" 2>/dev/null &
  echo_pid=$!; PIDS+=("$echo_pid"); sleep 0.5
  load "r$round-echo" "ws://127.0.0.1:$port/" "$echo_pid" --target echo
  kill "$echo_pid"

  redis-cli -p "$REDIS_PORT" FLUSHALL >/dev/null
  node 0
  load "r$round-one-node-worker-per-core" "$NODE_URL" "$NODE_PID" --no-import
  kill "$NODE_PID"

  redis-cli -p "$REDIS_PORT" FLUSHALL >/dev/null
  node 1
  load "r$round-one-node-one-thread" "$NODE_URL" "$NODE_PID" --no-import
  kill "$NODE_PID"

  redis-cli -p "$REDIS_PORT" FLUSHALL >/dev/null
  node 1; first_pid=$NODE_PID; first_url=$NODE_URL
  node 1
  load "r$round-two-nodes-one-thread-each" "$first_url" "$first_pid $NODE_PID" --no-import \
    --second-url "$NODE_URL"
  kill "$first_pid" "$NODE_PID"
done

echo
echo "Round trips against the echo server's in the same round:"
for round in $(seq "$ROUNDS"); do
  echo_trips=$(cat "$OUT/r$round-echo.trips")
  for setup in one-node-worker-per-core one-node-one-thread two-nodes-one-thread-each; do
    printf 'round %s  %-32s %.2f\n' "$round" "$setup" "$(echo "$(cat "$OUT/r$round-$setup.trips") / $echo_trips" | bc -l)"
  done
done
