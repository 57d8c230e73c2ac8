#!/usr/bin/env bash
# The "Redis Cluster: balance and latency" figures of BENCHMARKS.md: the same loads on one Redis and on a
# three-master Redis Cluster, each against one node with 16 board shards:
#   bests    runs ending with a new best, 200 friends each (400 players at machine speed)
#   friends  friend-board reads at 200 friends, a fixed offered load (paced players)
#   global   global top-100 reads, the same offered load
#   stale    how old the global top 100 a reader gets is (--scenario staleness)
# and, after the bests load, the bytes of each kind of key (loadtest/scripts/redis-census.py).
# Each load reports every master's INFO commandstats (calls, usec, share) and INFO cpu; the script adds the
# node's CPU (/proc/<pid>/stat); loadtest/scripts/cluster-report.py turns it all into the tables.
#
#   loadtest/cluster-bench.sh [results dir, default target/cluster-bench]   (BENCH_SECS=20: each load's length)
#
# Loopback only. It starts and kills its own redis-servers (no persistence) and nodes on free ports, and
# every load stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure-packages.sh
ensure_packages redis-server:redis-server redis-cli:redis-tools python3:python3 curl:curl
ensure_cargo
OUT="${1:-target/cluster-bench}"
SECS="${BENCH_SECS:-20}"
PLAYERS="${BENCH_PLAYERS:-400}"    # players of the bests load (a fixed ring of 200 friends each)
READERS="${BENCH_READERS:-100}"    # paced readers of the friends and global loads
THINK_MS="${BENCH_THINK_MS:-100}"  # each reader's pause between reads: about READERS * 1000 / THINK_MS reads/s
mkdir -p "$OUT"
cargo build --release --locked -p leapfrog-server -p leapfrog-loadtest
BIN="${CARGO_TARGET_DIR:-target}/release"
JWT="bench-jwt-secret-$(date +%s)-0123456789abcdef"
ADMIN="bench-admin-secret-$(date +%s)-0123456789abcdef"
export LEAPFROG_JWT_SECRET="$JWT" LEAPFROG_ADMIN_SECRET="$ADMIN"
WORK=$(mktemp -d)

# A free port whose cluster bus port (+10,000) is free too.
free_port() {
  python3 - <<'PY'
import random, socket
for _ in range(200):
    port = random.randint(20000, 40000)
    try:
        for p in (port, port + 10000):
            s = socket.socket(); s.bind(("127.0.0.1", p)); s.close()
        print(port); break
    except OSError:
        continue
PY
}
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# cpu_ms PID: user + system CPU of a process so far, in ms.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) * 1000 / hz }' "/proc/$1/stat"; }

# start_redis MODE: one redis-server (single) or three joined into a cluster; sets REDIS_PORTS, REDIS_URL,
# CLUSTER_FLAG.
start_redis() {
  REDIS_PORTS=()
  local count=1 extra=() port dir
  if [ "$1" = cluster ]; then count=3; fi
  for _ in $(seq "$count"); do
    port=$(free_port); dir="$WORK/redis-$port"; mkdir -p "$dir"
    if [ "$1" = cluster ]; then
      extra=(--cluster-enabled yes --cluster-config-file "$dir/nodes.conf" --cluster-node-timeout 5000)
    fi
    redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --dir "$dir" \
      --maxclients 50000 "${extra[@]}" >"$OUT/$1-redis-$port.log" 2>&1 &
    PIDS+=($!)
    REDIS_PORTS+=("$port")
  done
  for port in "${REDIS_PORTS[@]}"; do
    for _ in $(seq 50); do redis-cli -p "$port" PING >/dev/null 2>&1 && break; sleep 0.1; done
  done
  if [ "$1" = cluster ]; then
    local addresses=()
    for port in "${REDIS_PORTS[@]}"; do addresses+=("127.0.0.1:$port"); done
    redis-cli --cluster create "${addresses[@]}" --cluster-replicas 0 --cluster-yes >"$OUT/cluster-create.log"
    for port in "${REDIS_PORTS[@]}"; do
      for _ in $(seq 100); do
        redis-cli -p "$port" CLUSTER INFO | grep -q 'cluster_state:ok' && break; sleep 0.1
      done
    done
    REDIS_URL=$(printf 'redis://127.0.0.1:%s,' "${REDIS_PORTS[@]}"); REDIS_URL=${REDIS_URL%,}
    CLUSTER_FLAG=(--redis-cluster)
  else
    REDIS_URL="redis://127.0.0.1:${REDIS_PORTS[0]}"
    CLUSTER_FLAG=()
  fi
}
flush() { for port in "${REDIS_PORTS[@]}"; do redis-cli -p "$port" FLUSHALL >/dev/null; done; }

# start_node NAME: machine-speed play allowed, no coalescing, 16 board shards, a 10 s Redis timeout (a shared,
# overloaded machine stalls processes past the default 1 s); sets NODE_URL/NODE_ADMIN/NODE_PID
start_node() {
  local public admin
  public=$(free_port); admin=$(free_port)
  LEAPFROG_LOG=warn "$BIN/leapfrog-server" --redis-url "$REDIS_URL" "${CLUSTER_FLAG[@]}" --board-shards 16 \
    --node-id "$1" --listen "127.0.0.1:$public" --admin-listen "127.0.0.1:$admin" \
    --timing-tolerance-ms 100000000 --rate-per-second 100000 --rate-burst 100000 \
    --max-runs-per-hour 10000000 --coalesce-window-ms 0 --max-connections 100000 --redis-timeout-ms 10000 \
    >"$OUT/$1.log" 2>&1 &
  NODE_PID=$!
  PIDS+=("$NODE_PID")
  NODE_URL="ws://127.0.0.1:$public/ws"
  NODE_ADMIN="127.0.0.1:$admin"
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$public/readyz" >/dev/null 2>&1 && return; sleep 0.1; done
  echo "node $1 did not start" >&2; exit 1
}
stop_node() { kill "$NODE_PID" 2>/dev/null || true; wait "$NODE_PID" 2>/dev/null || true; }

# load NAME OPTIONS...: one load with every master read; the node's CPU during it goes to NAME.node-cpu.
load() {
  local name=$1 before; shift
  echo "== $name: leapfrog-loadtest $* --redis-url $REDIS_URL ${CLUSTER_FLAG[*]}" | tee "$OUT/$name.txt"
  before=$(cpu_ms "$NODE_PID")
  "$BIN/leapfrog-loadtest" --progress-secs 0 --json --url "$NODE_URL" --admin "$NODE_ADMIN" \
    --redis-url "$REDIS_URL" "${CLUSTER_FLAG[@]}" "$@" >"$OUT/$name.json"
  awk -v after="$(cpu_ms "$NODE_PID")" -v before="$before" 'BEGIN { print after - before }' >"$OUT/$name.node-cpu"
}

echo "machine: $(nproc) CPUs, $(uname -r), $(redis-server --version | cut -d' ' -f3)" | tee "$OUT/machine.txt"
for mode in single cluster; do
  start_redis "$mode"
  start_node "$mode-node"
  load "$mode-bests" --players "$PLAYERS" --pace fast --mix run=1 --scripted-bests --degrees fixed \
    --friends-mean 200 --ramp-secs 5 --duration-secs "$SECS" --prefix b
  loadtest/scripts/redis-census.py "${REDIS_PORTS[@]}" >"$OUT/$mode-census.md"
  stop_node; flush; start_node "$mode-node"
  load "$mode-friends" --players "$READERS" --population $((READERS + 5000)) --warmup --pace fast \
    --mix friends=1 --degrees fixed --friends-mean 200 --think-ms "$THINK_MS" --ramp-secs 2 \
    --duration-secs "$SECS" --prefix f
  load "$mode-global" --players "$READERS" --population $((READERS + 5000)) --no-import --pace fast \
    --mix global=1 --global-limit 100 --think-ms "$THINK_MS" --ramp-secs 2 --duration-secs "$SECS" --prefix f
  stop_node; flush; start_node "$mode-node"
  load "$mode-stale" --scenario staleness --players 24 --writers 4 --pace fast --think-ms 20 --ramp-secs 1 \
    --duration-secs $((SECS * 2)) --prefix s
  stop_node
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  PIDS=()
done
loadtest/scripts/cluster-report.py "$OUT" | tee "$OUT/tables.md"
