#!/usr/bin/env bash
# The group commit under the 1,000-player jump load, for node binaries alternated (issue #16): each load
# gets a fresh private redis-server (no persistence) and one one-thread node, and prints per binary
#   - node and Redis CPU per round trip (utime+stime from /proc around the load, its ramp included);
#   - entries per group-commit batch (the node's `leapfrog_redis_batch_entries`);
#   - Redis's reads per 1,000 round trips (`total_reads_processed`: one per time Redis woke to read).
# Loads alternate between the binaries ROUNDS times (A B A B ...), so a box that drifts during the call
# weighs on each of them alike.
#
#   loadtest/scripts/batch-cost.sh BASELINE_BIN SERVER_BIN...   (from the repository root)
#   PLAYERS=1000 SECS=8 ROUNDS=2 OUT=target/batch-cost
#
# Everything is on loopback, bounded by SECS per load, and stopped at exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/scripts/lib.sh
PLAYERS=${PLAYERS:-1000}; SECS=${SECS:-8}; ROUNDS=${ROUNDS:-2}
OUT=${OUT:-target/batch-cost}; TOOL=${TOOL:-target/release/leapfrog-loadtest}
[ "$#" -ge 1 ] || { echo "usage: batch-cost.sh BIN..." >&2; exit 2; }
mkdir -p "$OUT"
new_secrets
stop_at_exit

printf '| binary | round | round trips | node µs per round trip | Redis µs per round trip | entries per batch | Redis reads per 1,000 round trips |\n'
printf '|---|---|---|---|---|---|---|\n'
for round in $(seq "$ROUNDS"); do
  for bin in "$@"; do
    name=$(basename "$bin")
    base="$OUT/$name-r$round"
    start_redis "$base-redis.log"
    run_node "$bin" batch "$base-node.log" --worker-threads 1
    node_before=$(cpu_us "$NODE_PID"); redis_before=$(cpu_us "$REDIS_PID")
    reads_before=$(redis-cli -p "$REDIS_PORT" INFO stats | tr -d '\r' | awk -F: '$1 == "total_reads_processed" { print $2 }')
    "$TOOL" --url "ws://127.0.0.1:$PUBLIC_PORT/ws" --admin "127.0.0.1:$ADMIN_PORT" --admin-secret "$ADMIN" \
      --jwt-secret "$JWT" --players "$PLAYERS" --pace fast --mix run=1 --ramp-secs 1 --duration-secs "$SECS" \
      --progress-secs 0 --json >"$base.json"
    node_after=$(cpu_us "$NODE_PID"); redis_after=$(cpu_us "$REDIS_PID")
    reads_after=$(redis-cli -p "$REDIS_PORT" INFO stats | tr -d '\r' | awk -F: '$1 == "total_reads_processed" { print $2 }')
    curl -fs "http://127.0.0.1:$ADMIN_PORT/metrics" >"$base.metrics"
    trips=$(round_trips "$base.json")
    python3 - "$base.metrics" "$name" "$round" "$trips" "$node_before" "$node_after" "$redis_before" \
      "$redis_after" "$reads_before" "$reads_after" <<'PY'
import sys
path, name, round_, trips = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
nb, na, rb, ra, reads_b, reads_a = map(int, sys.argv[5:11])
values = {}
for line in open(path):
    if line.startswith("leapfrog_redis_batch_entries_sum") or line.startswith("leapfrog_redis_batch_entries_count"):
        values[line.split("{")[0]] = float(line.rsplit(" ", 1)[1])
batches = values.get("leapfrog_redis_batch_entries_count", 0)
entries = values.get("leapfrog_redis_batch_entries_sum", 0) / batches if batches else 0
print(f"| {name} | {round_} | {trips:,} | {(na - nb) / trips:.2f} | {(ra - rb) / trips:.2f} | {entries:.0f} | {(reads_a - reads_b) * 1000 / trips:.1f} |")
PY
    kill "$NODE_PID" "$REDIS_PID"; wait "$NODE_PID" "$REDIS_PID" 2>/dev/null || true
    rm -rf "$REDIS_DIR"
  done
done
echo "loads of $PLAYERS players for $SECS s each; files in $OUT"
