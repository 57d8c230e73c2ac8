#!/usr/bin/env bash
# The echo server's instructions (and, with VALGRIND_ARGS="--cache-sim=yes", cache misses) per
# message, the baseline `loadtest/callgrind.sh` sets a node's per-jump figures against. The echo server
# (`leapfrog-loadtest echo-server`, the bare tokio-tungstenite round trip) runs under callgrind while the
# load tool keeps PLAYERS connections echoing at machine pace for SECS and then 2 x SECS seconds; the
# figure per message is the difference of the two totals over the difference of their round trips, so the
# start-up and the connections cancel out.
#
#   PLAYERS=1000 SECS=5 VALGRIND_ARGS="--cache-sim=yes" OUT=target/echo-callgrind loadtest/scripts/echo-callgrind.sh
#   L2=1 PLAYERS=1000 loadtest/scripts/echo-callgrind.sh     (the core's L2 as the last level, as in callgrind.sh)
#
# The echo server runs one worker thread (TOKIO_WORKER_THREADS=1), as the nodes do under
# NODE_ARGS="--worker-threads 1". COMMIT=yield or COMMIT=ping counts the echo server that answers each
# message only after a group commit (`echo-server --group-commit`; ping: one PING per round to a private
# redis-server started here), the floor of a node that answers after a batched durable write. Every
# process is started here, on loopback, and stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/scripts/lib.sh
PLAYERS="${PLAYERS:-1000}"
SECS="${SECS:-5}"
OUT="${OUT:-target/echo-callgrind}"
TOOL="${TOOL:-target/release/leapfrog-loadtest}"
VALGRIND_ARGS="${VALGRIND_ARGS:-}"
need_callgrind
[ "${L2:-0}" = 1 ] && VALGRIND_ARGS="$(l2_model) $VALGRIND_ARGS" # this core's L2 as the last level
mkdir -p "$OUT"
stop_at_exit
new_secrets # the players' tokens are signed with $JWT
ECHO_ARGS=()
case "${COMMIT:-}" in
  "") ;;
  yield) ECHO_ARGS=(--group-commit) ;;
  ping) start_redis "$OUT/redis.log"; ECHO_ARGS=(--group-commit --commit-redis "127.0.0.1:$REDIS_PORT") ;;
  *) echo "COMMIT is yield or ping" >&2; exit 1 ;;
esac
SERVER_NAME=echo${COMMIT:+-commit-$COMMIT}

# totals SECS: every event's total of one echo server serving PLAYERS connections for SECS, as NAME=COUNT
# words, then the round trips it answered.
totals() {
  local secs=$1 port profile="$OUT/echo-$1.out" echo_pid trips
  port=$(free_port)
  TOKIO_WORKER_THREADS=1 valgrind --tool=callgrind $VALGRIND_ARGS --callgrind-out-file="$profile" \
    "$TOOL" echo-server --listen "127.0.0.1:$port" "${ECHO_ARGS[@]}" >"$OUT/echo-$secs.log" 2>&1 &
  echo_pid=$!; PIDS+=("$echo_pid")
  for _ in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  jump_load "ws://127.0.0.1:$port/" "$secs" --target echo --jwt-secret "$JWT" >"$OUT/echo-$secs.json"
  kill -TERM "$echo_pid"; wait "$echo_pid" 2>/dev/null || true
  trips=$(round_trips "$OUT/echo-$secs.json")
  echo "$(callgrind_events "$profile") trips=$trips"
}

short=$(totals "$SECS")
long=$(totals "$((2 * SECS))")
trips="$(event "$long" trips) - $(event "$short" trips)"
per_message() { marginal "$short" "$long" "$trips" "$@"; }
printf '%-20s %12s %12s %18s %12s %12s %12s\n' server "trips(N)" "trips(2N)" "instructions/msg" "I1 miss/msg" \
  "D1 miss/msg" "LL miss/msg"
printf '%-20s %12s %12s %18.0f %12.1f %12.1f %12.1f\n' "$SERVER_NAME" "$(event "$short" trips)" "$(event "$long" trips)" \
  "$(per_message Ir)" "$(per_message I1mr)" "$(per_message D1mr D1mw)" "$(per_message DLmr DLmw)"
echo "$PLAYERS connections, $SECS then $((2 * SECS)) s; profiles in $OUT"
