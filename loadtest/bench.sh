#!/usr/bin/env bash
# Reruns every figure of BENCHMARKS.md on this machine, each beside its same-run baseline:
#   1. jump round trips at 1,000 connections vs the echo server
#   2. server memory per idle authenticated connection
#   3. run completions with a new best and 200 friends each, with Redis commands per run
#   4. friend-board reads at 200 and 5,000 friends
#   5. "friend passed you" delivery latency, same node and across two nodes, at 1,000 per second
#   + redis-benchmark of the same Redis commands (loadtest/scripts/redis-commands.sh)
#
#   loadtest/bench.sh [results dir, default target/bench]      (BENCH_SECS=20 sets each load's length)
#
# Everything runs on loopback: a private redis-server on a free port, release builds of the node and the
# tool, stopped on exit. Outputs (tables and JSON) land in the results dir.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure-packages.sh
ensure_packages redis-server:redis-server redis-benchmark:redis-tools python3:python3 curl:curl
ensure_cargo
OUT="${1:-target/bench}"
SECS="${BENCH_SECS:-20}"
IDLE_CONNECTIONS="${IDLE_CONNECTIONS:-1000 10000 18000}"
mkdir -p "$OUT"
cargo build --release --locked -p leapfrog-server -p leapfrog-loadtest
BIN=target/release
JWT="bench-jwt-secret-$(date +%s)-0123456789abcdef"
ADMIN="bench-admin-secret-$(date +%s)-0123456789abcdef"
export LEAPFROG_JWT_SECRET="$JWT" LEAPFROG_ADMIN_SECRET="$ADMIN"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

REDIS_PORT=$(free_port)
REDIS_DIR=$(mktemp -d)
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --dir "$REDIS_DIR" \
  --maxclients 50000 >"$OUT/redis.log" 2>&1 &
PIDS+=($!)
REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" PING >/dev/null 2>&1 && break; sleep 0.1; done

# start_node NAME: a node with machine-speed play (and as many runs per player) allowed and no coalescing; sets NODE_URL/NODE_ADMIN/NODE_PID
start_node() {
  local public admin
  public=$(free_port); admin=$(free_port)
  LEAPFROG_LOG=warn "$BIN/leapfrog-server" --redis-url "$REDIS_URL" --node-id "$1" \
    --listen "127.0.0.1:$public" --admin-listen "127.0.0.1:$admin" \
    --timing-tolerance-ms 100000000 --rate-per-second 100000 --rate-burst 100000 \
    --max-runs-per-hour 10000000 --coalesce-window-ms 0 --max-connections 100000 >"$OUT/$1.log" 2>&1 &
  NODE_PID=$!
  PIDS+=("$NODE_PID")
  NODE_URL="ws://127.0.0.1:$public/ws"
  NODE_ADMIN="127.0.0.1:$admin"
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$public/readyz" >/dev/null 2>&1 && return; sleep 0.1; done
  echo "node $1 did not start" >&2; exit 1
}
stop_node() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
load() { # NAME, then options
  local name=$1; shift
  echo "== $name: leapfrog-loadtest $*" | tee "$OUT/$name.txt"
  "$BIN/leapfrog-loadtest" --progress-secs 0 --json "$@" >"$OUT/$name.json"
  python3 - "$OUT/$name.json" <<'PY' | tee -a "$OUT/$name.txt"
import json, sys
r = json.load(open(sys.argv[1]))
print(f"runs/s {r['runs_per_s']:.1f}  jumps/s {r['jumps_per_s']:.0f}  round trips/s {r['round_trips_per_s']:.0f}  peak connections {r['peak_connections']}  connect failures {r['connect_failures']}")
for k in r['kinds']:
    errors = ' '.join(f'{e}={n}' for e, n in k['errors'].items())
    print(f"  {k['kind']:<22} n={k['count']:<9} {k['per_second']:>9.1f}/s  p50 {k['p50_ms']:.3f}  p90 {k['p90_ms']:.3f}  p99 {k['p99_ms']:.3f}  p99.9 {k['p999_ms']:.3f}  max {k['max_ms']:.3f} ms  {errors}")
if r.get('memory'): m = r['memory']; print(f"  server RSS {m['rss_before_bytes']/2**20:.1f} -> {m['rss_loaded_bytes']/2**20:.1f} MiB at {m['connections']} connections: {m['bytes_per_connection']} B/connection")
if r.get('redis_calls_per_run'): print('  Redis calls per run: ' + ' '.join(f'{c}={n:.2f}' for c, n in r['redis_calls_per_run'].items()))
PY
}
flush() { redis-cli -p "$REDIS_PORT" FLUSHALL >/dev/null; }

echo "machine: $(nproc) CPUs, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r), open-file hard limit $(ulimit -Hn)" | tee "$OUT/machine.txt"

# 1. Jump round trips at 1,000 connections, and the echo baseline with the same traffic.
ECHO_PORT=$(free_port)
"$BIN/leapfrog-loadtest" echo-server --listen "127.0.0.1:$ECHO_PORT" 2>/dev/null &
ECHO_PID=$!; PIDS+=("$ECHO_PID")
sleep 0.5
load 1-echo --target echo --url "ws://127.0.0.1:$ECHO_PORT/ws" --players 1000 --pace fast --mix run=1 \
  --skill 800 --ramp-secs 5 --duration-secs "$SECS"
stop_node "$ECHO_PID"
start_node bench-a
load 1-server --url "$NODE_URL" --admin "$NODE_ADMIN" --players 1000 --pace fast --mix run=1 --skill 800 \
  --friends-mean 20 --ramp-secs 5 --duration-secs "$SECS" --prefix j
stop_node "$NODE_PID"; flush

# 2. Memory per idle authenticated connection (the node's RSS growth / connections), beside the echo
#    server holding as many bare WebSocket connections.
for n in $IDLE_CONNECTIONS; do
  ECHO_PORT=$(free_port)
  "$BIN/leapfrog-loadtest" echo-server --listen "127.0.0.1:$ECHO_PORT" 2>/dev/null &
  ECHO_PID=$!; PIDS+=("$ECHO_PID")
  sleep 1
  load "2-idle-echo-$n" --target echo --scenario idle --url "ws://127.0.0.1:$ECHO_PORT/ws" --players "$n" \
    --ramp-secs 10 --duration-secs 10 --server-pid "$ECHO_PID" --source-addrs 4
  stop_node "$ECHO_PID"
  start_node bench-idle
  sleep 1
  load "2-idle-$n" --scenario idle --url "$NODE_URL" --players "$n" --ramp-secs 10 --duration-secs 10 \
    --server-pid "$NODE_PID" --source-addrs 4 --prefix "i$n"
  stop_node "$NODE_PID"; flush
done

# 3. Runs ending with a new best, 200 friends each (a fixed ring of 1,000 players), Redis commands per run.
start_node bench-a
load 3-bests --url "$NODE_URL" --admin "$NODE_ADMIN" --redis-url "$REDIS_URL" --players 1000 --pace fast \
  --mix run=1 --scripted-bests --degrees fixed --friends-mean 200 --ramp-secs 5 --duration-secs "$SECS" --prefix b
stop_node "$NODE_PID"; flush

# 4. Friend-board reads at 200 and 5,000 friends (friends are offline players who played one run first).
start_node bench-a
load 4-friends-200 --url "$NODE_URL" --admin "$NODE_ADMIN" --players 500 --population 5500 --warmup \
  --pace fast --mix friends=1 --degrees fixed --friends-mean 200 --ramp-secs 2 --duration-secs "$SECS" --prefix f
load 4-friends-200-light --url "$NODE_URL" --admin "$NODE_ADMIN" --players 20 --population 5020 --no-import \
  --pace fast --mix friends=1 --ramp-secs 1 --duration-secs "$SECS" --prefix f
load 4-friends-5000 --url "$NODE_URL" --admin "$NODE_ADMIN" --players 50 --population 5550 --warmup \
  --pace fast --mix friends=1 --degrees fixed --friends-mean 5000 --ramp-secs 2 --duration-secs "$SECS" --prefix f
stop_node "$NODE_PID"; flush

# 5. "Friend passed you" at 1,000 per second: same node, then passers on a second node. Many pairs, so
#    each pair passes only a few times and runs stay short (the scores climb one centre hit per pass).
start_node bench-a
load 5-passes-same-node --scenario passes --url "$NODE_URL" --admin "$NODE_ADMIN" --players 10000 --rate 1000 \
  --ramp-secs 5 --duration-secs "$SECS" --prefix p
flush
load 5-passes-same-node-200 --scenario passes --url "$NODE_URL" --admin "$NODE_ADMIN" --players 2000 --rate 200 \
  --ramp-secs 5 --duration-secs "$SECS" --prefix r
FIRST_URL=$NODE_URL; FIRST_ADMIN=$NODE_ADMIN; FIRST_PID=$NODE_PID
flush
start_node bench-b
load 5-passes-two-nodes --scenario passes --url "$FIRST_URL" --second-url "$NODE_URL" --admin "$FIRST_ADMIN" \
  --players 10000 --rate 1000 --ramp-secs 5 --duration-secs "$SECS" --prefix q
stop_node "$NODE_PID"; stop_node "$FIRST_PID"

# The same Redis commands, straight from redis-benchmark.
loadtest/scripts/redis-commands.sh 20000 | tee "$OUT/redis-commands.txt"
loadtest/scripts/bench-report.py "$OUT" > "$OUT/tables.md"
echo "results in $OUT; the tables of BENCHMARKS.md in $OUT/tables.md"
