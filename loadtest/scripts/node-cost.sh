#!/usr/bin/env bash
# Node CPU per jump round trip (utime+stime from /proc over the load, and its user part alone: the
# node's own code, apart from the kernel's work on its sockets) beside the echo server's CPU per
# message, and node bytes per idle authenticated connection beside the echo server's (where perf can read
# syscall tracepoints, also each process's syscalls, context switches and page faults per round trip), for
# each node binary given (a baseline beside a candidate, same run, same Redis; each node started by lib.sh's
# run_node):
#
#   loadtest/scripts/node-cost.sh BASELINE_BIN CANDIDATE_BIN...     (from the repository root)
#   PLAYERS=1000 SECS=15 IDLE=18000 loadtest/scripts/node-cost.sh /work/bench-bin/leapfrog-server target/release/leapfrog-server
#
# Each node binary is measured in the given order, then again in reverse (ROUNDS=1: once), between two
# rounds of the echo server (before and after the nodes; ECHO_AGAIN=0: before only). The report ends with
# each server's mean over its rounds against the echo server's mean: CPU per round trip, its user part,
# and the round trips served in the same seconds (the throughput ratio).
#
# Loopback only; a private redis-server (no persistence) and every process started here are stopped on
# exit; each load is bounded by SECS. PIN=1 gives each server a core to itself (lib.sh's `on_other_core`).
# IDLE=0 skips the idle connections. ECHO_WORKERS="default 1" measures
# the echo server with tokio's default worker threads and then with one (the means are set against the
# first), to compare with a node run with `--worker-threads 1`. ECHO_COMMIT="yield ping" also measures,
# after each of those, the echo server answering only after a group commit (`echo-server --group-commit`:
# each round only yields, or sends one PING to this script's Redis), the floor of a node that answers
# after a batched durable write; its mean is set against the plain echo server's too.
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/scripts/lib.sh
PLAYERS="${PLAYERS:-1000}"
SECS="${SECS:-15}"
IDLE="${IDLE:-18000}"
TOOL="${TOOL:-target/release/leapfrog-loadtest}"
OUT="${OUT:-target/node-cost}"
mkdir -p "$OUT"
rm -f "$OUT"/*.us
new_secrets
export LEAPFROG_JWT_SECRET="$JWT" # the load tool signs the players' tokens with it
stop_at_exit
COMMIT_LABELS=()
bytes_per_connection() { python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["memory"]; print(m["bytes_per_connection"], m["connections"])' "$1"; }

start_redis "$OUT/redis.log" --maxclients 50000
pin_process "$REDIS_PID" 1
TICK=$(getconf CLK_TCK)
# The process's syscalls, context switches and page faults over each load too, where perf can read the tracepoints.
SYSCALL_EVENTS=raw_syscalls:sys_enter,context-switches,page-faults
perf stat -e "$SYSCALL_EVENTS" true >/dev/null 2>&1 || SYSCALL_EVENTS=""

# measure LABEL NAME URL PID [options]: CPU per round trip of process PID over a jump load, in µs.
measure() {
  local label=$1 name=$2 url=$3 pid=$4; shift 4
  local perf_pid="" label_key=${name%-[re][0-9]*}
  if [ -n "$SYSCALL_EVENTS" ]; then
    perf stat -x, -o "$OUT/$name-jumps.syscalls" -e "$SYSCALL_EVENTS" -p "$pid" >/dev/null 2>&1 &
    perf_pid=$!
  fi
  local user_before system_before user_after system_after
  read -r user_before system_before < <(cpu_split_ticks "$pid")
  jump_load "$url" "$SECS" "$@" >"$OUT/$name-jumps.json"
  read -r user_after system_after < <(cpu_split_ticks "$pid")
  if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; fi
  local trips us user_us; trips=$(round_trips "$OUT/$name-jumps.json")
  us=$(echo "($user_after + $system_after - $user_before - $system_before) / $TICK * 1000000 / $trips" | bc -l)
  user_us=$(echo "($user_after - $user_before) / $TICK * 1000000 / $trips" | bc -l)
  echo "$us $user_us $trips" >>"$OUT/$label_key.us"
  printf '%-44s jumps: %9d round trips, CPU %7.2f s, %6.2f µs per round trip (user %.2f, system %.2f)%s\n' \
    "$label" "$trips" "$(echo "($user_after + $system_after - $user_before - $system_before) / $TICK" | bc -l)" \
    "$us" "$user_us" "$(echo "$us - $user_us" | bc -l)" "$(syscalls_per "$OUT/$name-jumps.syscalls" "$trips")"
}
# syscalls_per FILE COUNT: ", N syscalls, N context switches and N page faults per round trip" from a perf
# stat file.
syscalls_per() {
  [ -s "$1" ] || return 0
  awk -F, -v n="$2" '$3 == "raw_syscalls:sys_enter" { s = $1 } $3 == "context-switches" { c = $1 }
    $3 == "page-faults" { f = $1 }
    END { if (s != "") printf ", %.2f syscalls, %.3f context switches and %.4f page faults per round trip",
      s / n, c / n, f / n }' "$1"
}
# idle LABEL NAME URL PID [options]: bytes per idle connection of process PID.
idle() {
  local label=$1 name=$2 url=$3 pid=$4; shift 4
  [ "$IDLE" -gt 0 ] || return 0
  on_other_core "$TOOL" --url "$url" --scenario idle --players "$IDLE" --server-pid "$pid" --source-addrs 8 \
    --ramp-secs 10 --duration-secs 10 --progress-secs 0 --json "$@" >"$OUT/$name-idle.json"
  printf '%-44s idle: %s bytes per connection at %s connections\n' "$label" $(bytes_per_connection "$OUT/$name-idle.json")
}

# echo_round LABEL NAME IDLE [echo-server options]: one echo server (with `echo_env`, pinned like the
# nodes) measured under the jump load as NAME, its idle connections too when IDLE is 1.
echo_round() {
  local label=$1 name=$2 with_idle=$3; shift 3
  ECHO_PORT=$(free_port)
  env "${echo_env[@]}" "$TOOL" echo-server --listen "127.0.0.1:$ECHO_PORT" "$@" 2>/dev/null &
  ECHO_PID=$!; PIDS+=("$ECHO_PID")
  pin_process "$ECHO_PID" 0
  sleep 0.5
  measure "$label" "$name" "ws://127.0.0.1:$ECHO_PORT/" "$ECHO_PID" --target echo
  [ "$with_idle" = 1 ] && idle "$label" "$label" "ws://127.0.0.1:$ECHO_PORT/" "$ECHO_PID" --target echo
  kill "$ECHO_PID"
}

# echo_servers ROUND: the echo server, once per entry of ECHO_WORKERS ("default" is tokio's own choice, a
# worker thread per core; a number N runs it with TOKIO_WORKER_THREADS=N, to compare with a node run the
# same way), then, for each mode of ECHO_COMMIT, the group-commit echo server with the same workers.
# Idle connections are measured in the first round only.
echo_servers() {
  local round=$1 workers label mode commit_args first=0
  [ "$round" = 1 ] && first=1
  for workers in ${ECHO_WORKERS:-default}; do
    label=echo; [ "$workers" = default ] || label="echo-w$workers"
    ECHO_LABEL=${ECHO_LABEL:-$label} # the first is the one the means are set against
    echo_env=(); [ "$workers" = default ] || echo_env=(TOKIO_WORKER_THREADS="$workers")
    echo_round "$label" "$label-e$round" "$first"
    for mode in ${ECHO_COMMIT:-}; do
      commit_args=(--group-commit); [ "$mode" = ping ] && commit_args+=(--commit-redis "127.0.0.1:$REDIS_PORT")
      [ "$first" = 1 ] && COMMIT_LABELS+=("$label-commit-$mode")
      echo_round "$label-commit-$mode" "$label-commit-$mode-e$round" 0 "${commit_args[@]}"
    done
  done
}

# The echo servers first; the binaries in order, then in reverse (lib.sh's `abba_order`); and the echo
# servers again (ECHO_AGAIN=0: not), so the echo server's figure is the mean of the call's start and end.
echo_servers 1
BINS=("$@")
round=0
for zero_based in $(abba_order ${#BINS[@]}); do
  index=$((zero_based + 1))
  bin=${BINS[$zero_based]}
  round=$((round + 1))
  redis-cli -p "$REDIS_PORT" FLUSHALL >/dev/null
  run_node "$bin" "node-cost-$index" "$OUT/node-$index.log" --max-unauthenticated 100000
  pin_process "$NODE_PID" 0
  measure "$index: $bin" "node-$index-r$round" "ws://127.0.0.1:$PUBLIC_PORT/ws" "$NODE_PID" --no-import
  idle "$index: $bin" "node-$index-r$round" "ws://127.0.0.1:$PUBLIC_PORT/ws" "$NODE_PID"
  kill "$NODE_PID"; wait "$NODE_PID" 2>/dev/null || true
done
[ "${ECHO_AGAIN:-1}" = 0 ] || echo_servers 2

# The means: CPU per round trip, its user part, and round trips served (throughput), each against the
# echo server's mean over its rounds.
read -r echo_us echo_user_us echo_trips < <(awk '{ s += $1; u += $2; t += $3; n++ } END { print s / n, u / n, t / n }' \
  "$OUT/$ECHO_LABEL.us")
# against FILE LABEL: one line of FILE's means against the echo server's.
against() {
  awk -v label="$2" -v echo_us="$echo_us" -v echo_user_us="$echo_user_us" -v echo_trips="$echo_trips" \
    -v echo_label="$ECHO_LABEL" '{ s += $1; u += $2; t += $3; n++ }
    END { printf "%-44s mean of %d: %6.2f µs per round trip, %.2fx %s; user %.2f µs, %.2fx %s'"'"'s user; round trips %.2f of %s'"'"'s\n",
      label, n, s / n, s / n / echo_us, echo_label, u / n, u / n / echo_user_us, echo_label, t / n / echo_trips, echo_label }' "$1"
}
against "$OUT/$ECHO_LABEL.us" "$ECHO_LABEL"
for label in "${COMMIT_LABELS[@]}"; do against "$OUT/$label.us" "$label"; done
for ((i = 1; i <= ${#BINS[@]}; i++)); do against "$OUT/node-$i.us" "$i: ${BINS[$((i - 1))]}"; done
