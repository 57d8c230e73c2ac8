#!/usr/bin/env bash
# Instructions per jump of the node, deterministic enough to see a regression of a few percent whatever
# else the machine is doing: each node binary runs under `valgrind --tool=callgrind` against a private
# redis-server (loopback) while `leapfrog-loadtest --scenario jumps` sends a fixed scripted workload
# (PLAYERS connections, one run each of N centre hits, then 2N), and
#     instructions per jump = (I(2N) - I(N)) / (PLAYERS * N)
# so the start-up, the connections and the shutdown cancel out.
#
#   loadtest/callgrind.sh [node binary ...]     (default: target/release/leapfrog-server)
#   PLAYERS=20 JUMPS=250 OUT=target/callgrind loadtest/callgrind.sh /work/bench-bin/leapfrog-server target/release/leapfrog-server
#   NODE_ARGS="--worker-threads 1" loadtest/callgrind.sh ...     (options given to every node)
#   VALGRIND_ARGS="--cache-sim=yes" loadtest/callgrind.sh ...     (also cache misses per jump: I1, fetches
#       that missed the first-level instruction cache; D1, reads and writes that missed the first-level
#       data cache; LL, data that missed the last level. Valgrind's model of this machine's caches, not
#       its hardware, but deterministic like the instruction count)
#   L2=1 loadtest/callgrind.sh ...     (the same, with this core's second-level cache as the last level:
#       "LL miss/jump" then counts the data a jump touches that was no longer near the core, from the
#       shared cache or memory, the connections' state at a thousand players; lib.sh's `l2_model`)
#
# Several binaries are measured in turn in the same run (a baseline beside a candidate). The callgrind
# profiles stay in OUT (<binary-name>-<index>-<jumps>.out) for `callgrind_annotate`. Every process is
# started here, bounded (the tool stops after its jumps, or after 10 minutes) and stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
PLAYERS="${PLAYERS:-20}"
JUMPS="${JUMPS:-250}"
OUT="${OUT:-target/callgrind}"
TOOL="${TOOL:-target/release/leapfrog-loadtest}"
NODE_ARGS="${NODE_ARGS:-}" # more options for every node, e.g. "--worker-threads 1"
VALGRIND_ARGS="${VALGRIND_ARGS:-}" # more options for callgrind, e.g. "--cache-sim=yes"
BINS=("$@")
[ ${#BINS[@]} -gt 0 ] || BINS=(target/release/leapfrog-server)
source loadtest/scripts/lib.sh
need_callgrind
[ "${L2:-0}" = 1 ] && VALGRIND_ARGS="$(l2_model) $VALGRIND_ARGS" # this core's L2 as the last level
mkdir -p "$OUT"
export LEAPFROG_JWT_SECRET="callgrind-jwt-secret-0123456789abcdef-0123456789"
stop_at_exit

start_redis "$OUT/redis.log"

# budget_sync_args BIN: `--message-budget-sync-ms 10000` if node BIN has the option. The cluster-wide
# message budget's remainders are added on a timer: under valgrind a jump takes about fifty times as
# long, so each jump would carry fifty times its real share of that flush (about a tenth of the count)
# and its spread between calls. A node that has the option syncs them at the longest period instead (an
# older build, without it, as it always did).
budget_sync_args() { "$1" --help 2>/dev/null | grep -q -- --message-budget-sync-ms && echo "--message-budget-sync-ms 10000"; true; }

# counts BIN NAME JUMPS: the events (lib.sh's `callgrind_events`: instructions, and cache misses with
# --cache-sim=yes) one node process counted in all, serving PLAYERS x JUMPS jumps.
counts() {
  local bin=$1 name=$2 jumps=$3 public admin node profile="$OUT/$2-$3.out"
  for _attempt in 1 2 3; do # a free port may be taken by another process before the node binds it
    redis-cli -p "$REDIS_PORT" FLUSHALL >/dev/null
    public=$(free_port); admin=$(free_port)
    LEAPFROG_LOG=warn valgrind --tool=callgrind $VALGRIND_ARGS --callgrind-out-file="$profile" "$bin" \
      --redis-url "redis://127.0.0.1:$REDIS_PORT/0" --listen "127.0.0.1:$public" \
      --admin-listen "127.0.0.1:$admin" --timing-tolerance-ms 100000000 --rate-per-second 100000 \
      --rate-burst 100000 --max-runs-per-hour 10000000 --redis-timeout-ms 10000 $(budget_sync_args "$bin") $NODE_ARGS \
      >"$OUT/$name-$jumps.log" 2>&1 &
    node=$!
    PIDS+=("$node")
    for _ in $(seq 600); do
      curl -fs "http://127.0.0.1:$public/readyz" >/dev/null 2>&1 && break 2
      kill -0 "$node" 2>/dev/null || break
      sleep 0.1
    done
    wait "$node" 2>/dev/null || true
  done
  "$TOOL" --scenario jumps --url "ws://127.0.0.1:$public/ws" --players "$PLAYERS" --jumps "$jumps" \
    --request-timeout-ms 120000 --ramp-secs 0 --duration-secs 600 --progress-secs 0 --json >"$OUT/$name-$jumps.json"
  python3 - "$OUT/$name-$jumps.json" "$((PLAYERS * jumps))" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
jumps = sum(k['count'] for k in r['kinds'] if k['kind'] == 'jump')
errors = sum(n for k in r['kinds'] if k['kind'] != 'error_without_id' for n in k['errors'].values())
if jumps != int(sys.argv[2]) or errors:
    sys.exit(f"{sys.argv[1]}: {jumps} jumps answered of {sys.argv[2]}, {errors} errors")
PY
  kill -TERM "$node"
  wait "$node" 2>/dev/null || true
  callgrind_events "$profile"
}

printf '%-40s %14s %14s %18s %12s %12s %12s\n' "node" "I(N)" "I(2N)" "instructions/jump" "I1 miss/jump" \
  "D1 miss/jump" "LL miss/jump"
index=0
for bin in "${BINS[@]}"; do
  index=$((index + 1))
  name="$(basename "$bin")-$index"
  single=$(counts "$bin" "$name" "$JUMPS")
  double=$(counts "$bin" "$name" "$((2 * JUMPS))")
  jumps="$PLAYERS * $JUMPS"
  printf '%-40s %14s %14s %18.0f %12.1f %12.1f %12.1f\n' "$bin" "$(event "$single" Ir)" "$(event "$double" Ir)" \
    "$(marginal "$single" "$double" "$jumps" Ir)" "$(marginal "$single" "$double" "$jumps" I1mr)" \
    "$(marginal "$single" "$double" "$jumps" D1mr D1mw)" "$(marginal "$single" "$double" "$jumps" DLmr DLmw)"
done
echo "N = $PLAYERS players x $JUMPS jumps; profiles in $OUT (callgrind_annotate $OUT/<name>-$((2 * JUMPS)).out)"
