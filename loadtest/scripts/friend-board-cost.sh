#!/usr/bin/env bash
# Friend-board reads at 5,000 friends (issue #16): reads per second, latency, and the node's and Redis's
# CPU per read (utime+stime from /proc over the load after its ramp), for each configuration in turn:
#   baseline   BASELINE_BIN as it is
#   uncached   SERVER_BIN with --friend-cache-ms 0 (every read asks Redis for every friend)
#   churn      SERVER_BIN with --friend-cache-ms 1 (the cache's cost when it never hits)
#   cached     SERVER_BIN with its defaults (friends' bests cached for a second)
# Each gets a fresh private redis-server (no persistence) and one node; the load is bench.sh's load 4 at
# 5,000 friends: 50 players reading the weekly friend board (radius 10) flat out, among 5,550 players who
# each played one run first, every player with 5,000 friends.
#
#   loadtest/scripts/friend-board-cost.sh BASELINE_BIN SERVER_BIN [LOADTEST_BIN] [out dir]
#   SECS=20 (each load's length), PLAYERS=50 readers, FRIENDS=5000 each, POPULATION=FRIENDS+550 players
#   (bench.sh's 200-friend load is PLAYERS=500 FRIENDS=200 POPULATION=5500)
#
# Loopback only, bounded by SECS per load; every process started here is stopped at exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
BASE=$1; NEW=$2; TOOL=${3:-target/release/leapfrog-loadtest}; OUT=${4:-target/friend-board-cost}
SECS=${SECS:-20}; PLAYERS=${PLAYERS:-50}; FRIENDS=${FRIENDS:-5000}; POPULATION=${POPULATION:-$((FRIENDS + 550))}
mkdir -p "$OUT"
source loadtest/scripts/lib.sh
new_secrets
stop_at_exit

measure() { # LABEL BIN [node options]
  local label=$1 bin=$2 public admin node redis_pid
  shift 2
  start_redis "$OUT/$label-redis.log"
  run_node "$bin" "fb-$label" "$OUT/$label-node.log" "$@"
  redis_pid=$REDIS_PID; node=$NODE_PID; public=$PUBLIC_PORT; admin=$ADMIN_PORT
  "$TOOL" --url "ws://127.0.0.1:$public/ws" --admin "127.0.0.1:$admin" --jwt-secret "$JWT" --admin-secret "$ADMIN" \
    --cpu-pid "node=$node" --cpu-pid "redis=$redis_pid" --progress-secs 0 --json \
    --players "$PLAYERS" --population "$POPULATION" --warmup --pace fast --mix friends=1 --degrees fixed \
    --friends-mean "$FRIENDS" --ramp-secs 2 --duration-secs "$SECS" --prefix f >"$OUT/$label.json"
  python3 - "$label" "$OUT/$label.json" <<'PY'
import json, sys
label, r = sys.argv[1], json.load(open(sys.argv[2]))
k = next(k for k in r['kinds'] if k['kind'] == 'read_friends')
cpu = {p['name']: p['us_per_round_trip'] for p in r['cpu']['processes']}
errors = sum(k['errors'].values())
print(f"| {label} | {k['per_second']:,.0f} | {k['p50_ms']:.2f} | {k['p99_ms']:.2f} | {cpu['node']:,.0f} | {cpu['redis']:,.0f} | {errors} |")
PY
  curl -fs "http://127.0.0.1:$admin/metrics" | grep -E '^leapfrog_friend_(score|list)_cache' | sed 's/^/    /' >&2 || true
  kill "$node" "$redis_pid"; wait "$node" "$redis_pid" 2>/dev/null || true
  rm -rf "$REDIS_DIR"
}

echo "load average $(cut -d' ' -f1-3 /proc/loadavg); $PLAYERS readers, $FRIENDS friends each, $SECS s per load"
echo "| configuration | reads/s | p50 ms | p99 ms | node CPU µs per read | Redis CPU µs per read | errors |"
echo "|---|---|---|---|---|---|---|"
measure baseline "$BASE"
measure uncached "$NEW" --friend-cache-ms 0
measure churn "$NEW" --friend-cache-ms 1
measure cached "$NEW"
