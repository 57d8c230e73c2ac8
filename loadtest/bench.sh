#!/usr/bin/env bash
# Reruns every figure of BENCHMARKS.md on this machine, each beside its same-run baseline:
#   1. jump round trips at 1,000 connections vs the echo server (and the echo server answering after a
#      group commit with one PING per round to Redis: the floor of a server that answers after a
#      batched durable write)
#   2. server memory per idle authenticated connection
#   3. run completions with a new best and 200 friends each, with Redis commands per run
#   4. friend-board reads at 200 and 5,000 friends, with the node's friend-board cache and without it
#   5. "friend passed you" delivery latency, same node and across two nodes, at 1,000 per second
#   + redis-benchmark of the same Redis commands (loadtest/scripts/redis-commands.sh)
#   + peers: a Colyseus room server doing the same integer jump step (loadtest/peers/), when Node.js is
#     present, beside the echo server and the node of loads 1 and 2 (1,000 connections)
#
#   loadtest/bench.sh [results dir, default target/bench]      (BENCH_SECS=20 sets each load's length)
#   BENCH_SECTIONS="1 2 peers" IDLE_CONNECTIONS=1000 loadtest/bench.sh   (only the peer table's loads)
#   BENCH_BIN=dir loadtest/bench.sh                                     (binaries from dir, no build)
#   BENCH_PGO=1 loadtest/bench.sh        (the node profile-guided: scripts/build-release-pgo.sh first)
#
# Every load reports the CPU per operation of each process (node, Redis, echo server, the tool itself):
# utime+stime from /proc/<pid>/stat over the load after its ramp, divided by what was answered then.
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
SECTIONS=" ${BENCH_SECTIONS:-1 2 3 4 5 redis peers} "
section() { [[ "$SECTIONS" == *" $1 "* ]]; }
mkdir -p "$OUT"
# BENCH_BIN=dir: the release binaries already built there (leapfrog-server, leapfrog-loadtest), no build.
if [ -n "${BENCH_BIN:-}" ]; then
  BIN=$BENCH_BIN
else
  BIN="${CARGO_TARGET_DIR:-target}/release"
fi
SERVER_BIN="$BIN/leapfrog-server"
# BENCH_PGO=1: the node as production builds it profile-guided (the echo server and the tool stay plain;
# the script builds the tool too).
if [ "${BENCH_PGO:-0}" = 1 ]; then
  scripts/build-release-pgo.sh target/release-pgo/leapfrog-server
  SERVER_BIN=target/release-pgo/leapfrog-server
elif [ -z "${BENCH_BIN:-}" ]; then
  cargo build --release --locked -p leapfrog-server -p leapfrog-loadtest
fi
JWT="bench-jwt-secret-$(date +%s)-0123456789abcdef"
ADMIN="bench-admin-secret-$(date +%s)-0123456789abcdef"
export LEAPFROG_JWT_SECRET="$JWT" LEAPFROG_ADMIN_SECRET="$ADMIN"

source loadtest/scripts/lib.sh
stop_at_exit

start_redis "$OUT/redis.log" --maxclients 50000
REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"

# start_node NAME [options]: a node with machine-speed play (and as many runs per player) allowed and no
# coalescing (lib.sh's `run_node`); sets NODE_URL/NODE_ADMIN/NODE_PID
start_node() {
  local name=$1
  shift
  run_node "$SERVER_BIN" "$name" "$OUT/$name.log" "$@" || { echo "node $name did not start" >&2; exit 1; }
  NODE_URL="ws://127.0.0.1:$PUBLIC_PORT/ws"
  NODE_ADMIN="127.0.0.1:$ADMIN_PORT"
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
c = r.get('cpu')
if c:
    print(f"  CPU over the {c['window_s']:.1f} s after the ramp: {c['round_trips_per_s']:.0f} round trips/s, {c['jumps']} jumps, {c['runs']} runs")
    f = lambda v: '-' if v is None else f'{v:.1f}'
    for p in c['processes']:
        print(f"    {p['name']:<6} {f(p['cores'] and p['cores'] * 100)}% of a core  µs per round trip {f(p['us_per_round_trip'])}  per jump {f(p['us_per_jump'])}  per run {f(p['us_per_run'])}  ramp µs per connection {f(p['ramp_us_per_connection'])}")
PY
}
flush() { redis-cli -p "$REDIS_PORT" FLUSHALL >/dev/null; }
# start_echo [echo-server options]: the echo server on a free port, once it accepts connections; sets
# ECHO_PORT and ECHO_PID.
start_echo() {
  ECHO_PORT=$(free_port)
  "$BIN/leapfrog-loadtest" echo-server --listen "127.0.0.1:$ECHO_PORT" "$@" 2>/dev/null &
  ECHO_PID=$!; PIDS+=("$ECHO_PID")
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$ECHO_PORT") 2>/dev/null && return 0; sleep 0.1; done
  echo "echo server did not start" >&2; exit 1
}
cpu_node() { echo "--cpu-pid node=$NODE_PID --cpu-pid redis=$REDIS_PID"; }

echo "machine: $(nproc) CPUs, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r), open-file hard limit $(ulimit -Hn), load average $(cut -d" " -f1-3 /proc/loadavg)" | tee "$OUT/machine.txt"

# 1. Jump round trips at 1,000 connections, and the echo baseline with the same traffic.
if section 1; then
  start_echo
  load 1-echo --target echo --url "ws://127.0.0.1:$ECHO_PORT/ws" --cpu-pid "echo=$ECHO_PID" --players 1000 --pace fast --mix run=1 \
    --skill 800 --ramp-secs 5 --duration-secs "$SECS"
  stop_node "$ECHO_PID"
  # The same echo server answering each frame only after a group commit with one PING per round to this
  # script's Redis: the floor of any server that answers after a batched durable write.
  start_echo --group-commit --commit-redis "127.0.0.1:$REDIS_PORT"
  load 1-echo-commit --target echo --url "ws://127.0.0.1:$ECHO_PORT/ws" --cpu-pid "echo=$ECHO_PID" \
    --cpu-pid "redis=$REDIS_PID" --players 1000 --pace fast --mix run=1 --skill 800 --ramp-secs 5 --duration-secs "$SECS"
  stop_node "$ECHO_PID"
  start_node bench-a
  load 1-server --url "$NODE_URL" --admin "$NODE_ADMIN" $(cpu_node) --players 1000 --pace fast --mix run=1 --skill 800 \
    --friends-mean 20 --ramp-secs 5 --duration-secs "$SECS" --prefix j
  stop_node "$NODE_PID"; flush
fi

# 2. Memory per idle authenticated connection (the node's RSS growth / connections), beside the echo
#    server holding as many bare WebSocket connections.
if section 2; then
  for n in $IDLE_CONNECTIONS; do
    start_echo
    load "2-idle-echo-$n" --target echo --scenario idle --url "ws://127.0.0.1:$ECHO_PORT/ws" --cpu-pid "echo=$ECHO_PID" --players "$n" \
      --ramp-secs 10 --duration-secs 10 --server-pid "$ECHO_PID" --source-addrs 4
    stop_node "$ECHO_PID"
    start_node bench-idle
    sleep 1
    load "2-idle-$n" --scenario idle --url "$NODE_URL" $(cpu_node) --players "$n" --ramp-secs 10 --duration-secs 10 \
      --server-pid "$NODE_PID" --source-addrs 4 --prefix "i$n"
    stop_node "$NODE_PID"; flush
  done
fi

# 3. Runs ending with a new best, 200 friends each (a fixed ring of 1,000 players), Redis commands per run.
if section 3; then
  start_node bench-a
  load 3-bests --url "$NODE_URL" --admin "$NODE_ADMIN" $(cpu_node) --redis-url "$REDIS_URL" --players 1000 --pace fast \
    --mix run=1 --scripted-bests --degrees fixed --friends-mean 200 --ramp-secs 5 --duration-secs "$SECS" --prefix b
  stop_node "$NODE_PID"; flush
fi

# 4. Friend-board reads at 200 and 5,000 friends (friends are offline players who played one run first).
if section 4; then
  start_node bench-a
  load 4-friends-200 --url "$NODE_URL" --admin "$NODE_ADMIN" $(cpu_node) --players 500 --population 5500 --warmup \
    --pace fast --mix friends=1 --degrees fixed --friends-mean 200 --ramp-secs 2 --duration-secs "$SECS" --prefix f
  load 4-friends-200-light --url "$NODE_URL" --admin "$NODE_ADMIN" $(cpu_node) --players 20 --population 5020 --no-import \
    --pace fast --mix friends=1 --ramp-secs 1 --duration-secs "$SECS" --prefix f
  load 4-friends-5000 --url "$NODE_URL" --admin "$NODE_ADMIN" $(cpu_node) --players 50 --population 5550 --warmup \
    --pace fast --mix friends=1 --degrees fixed --friends-mean 5000 --ramp-secs 2 --duration-secs "$SECS" --prefix f
  stop_node "$NODE_PID"
  # The same-run baseline: the same boards (imported again, the players' runs kept) read by a node
  # without the friend-board cache.
  start_node bench-a-uncached --friend-cache-ms 0
  load 4-friends-200-uncached --url "$NODE_URL" --admin "$NODE_ADMIN" $(cpu_node) --players 500 --population 5500 \
    --pace fast --mix friends=1 --degrees fixed --friends-mean 200 --ramp-secs 2 --duration-secs "$SECS" --prefix f
  load 4-friends-5000-uncached --url "$NODE_URL" --admin "$NODE_ADMIN" $(cpu_node) --players 50 --population 5550 \
    --pace fast --mix friends=1 --degrees fixed --friends-mean 5000 --ramp-secs 2 --duration-secs "$SECS" --prefix f
  stop_node "$NODE_PID"; flush
fi

# 5. "Friend passed you" at 1,000 per second: same node, then passers on a second node. Many pairs, so
#    each pair passes only a few times and runs stay short (the scores climb one centre hit per pass).
if section 5; then
  start_node bench-a
  load 5-passes-same-node --scenario passes --url "$NODE_URL" --admin "$NODE_ADMIN" $(cpu_node) --players 10000 --rate 1000 \
    --ramp-secs 5 --duration-secs "$SECS" --prefix p
  flush
  load 5-passes-same-node-200 --scenario passes --url "$NODE_URL" --admin "$NODE_ADMIN" $(cpu_node) --players 2000 --rate 200 \
    --ramp-secs 5 --duration-secs "$SECS" --prefix r
  FIRST_URL=$NODE_URL; FIRST_ADMIN=$NODE_ADMIN; FIRST_PID=$NODE_PID
  flush
  start_node bench-b
  load 5-passes-two-nodes --scenario passes --url "$FIRST_URL" --second-url "$NODE_URL" --admin "$FIRST_ADMIN" \
    --cpu-pid "node=$FIRST_PID" --cpu-pid "node2=$NODE_PID" --cpu-pid "redis=$REDIS_PID" \
    --players 10000 --rate 1000 --ramp-secs 5 --duration-secs "$SECS" --prefix q
  stop_node "$NODE_PID"; stop_node "$FIRST_PID"
fi

# The same Redis commands, straight from redis-benchmark.
if section redis; then
  loadtest/scripts/redis-commands.sh 20000 | tee "$OUT/redis-commands.txt"
fi

# Peers: a Colyseus room server doing the same integer jump step, with its own load generator, at the
# load of table 1 (1,000 connections, closed loop, machine pace), beside loads 1 and 2.
if section peers; then
  if command -v node >/dev/null && command -v npm >/dev/null; then
    PEER=loadtest/peers/colyseus
    [ -d "$PEER/node_modules" ] || (cd "$PEER" && npm ci --legacy-peer-deps --no-audit --no-fund)
    PEER_PORT=$(free_port)
    node "$PEER/server.js" --port "$PEER_PORT" --max-secs $((SECS + 180)) >"$OUT/peer-colyseus-server.log" 2>&1 &
    PEER_PID=$!; PIDS+=("$PEER_PID")
    for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PEER_PORT") 2>/dev/null && break; sleep 0.1; done
    PEER_ARGS=(--url "ws://127.0.0.1:$PEER_PORT" --server-pid "$PEER_PID" --connections 1000 --ramp-secs 5
      --idle-secs 3 --warmup-secs 2 --duration-secs "$SECS" --json-out "$OUT/peer-colyseus.json")
    echo "== peer-colyseus: node $PEER/load.js ${PEER_ARGS[*]}" | tee "$OUT/peer-colyseus.txt"
    node "$PEER/load.js" "${PEER_ARGS[@]}" | tee -a "$OUT/peer-colyseus.txt"
    stop_node "$PEER_PID"
  else
    echo "peers: Node.js (node and npm) not found; the Colyseus peer is skipped" | tee "$OUT/peer-colyseus.txt"
  fi
fi

loadtest/scripts/bench-report.py "$OUT" > "$OUT/tables.md"
echo "results in $OUT; the tables of BENCHMARKS.md in $OUT/tables.md"
