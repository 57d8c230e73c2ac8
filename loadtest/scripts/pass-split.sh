#!/usr/bin/env bash
# Where a recorded pass's CPU goes at a high rate (issue #16's pass goals: 150 µs of node CPU and 100 µs of
# Redis CPU per pass at 2,000 passes per second): one private redis-server and one node, the `passes`
# scenario at RATE, and both processes sampled by `perf record` (cpu-clock, call graphs) for SECS inside
# it. Each process's samples are split into user space and the kernel by syscall (perf-split.py), in µs
# per pass from its utime+stime over the sampled seconds, with its busiest user-space functions; then
# each process's system calls per run over the same seconds (perf stat). Redis's time per command is
# redis-profile.sh's (RATE=2000 there for the same load).
# Sampling slows the processes: read the shares; pass-rates.sh gives the CPU per pass unsampled.
#
#   loadtest/scripts/pass-split.sh [BIN]        (from the repository root; default target/release/leapfrog-server)
#   RATE=2000 SECS=8 PLAYERS=4000 NODE_ARGS="--worker-threads 1" OUT=target/pass-split loadtest/scripts/pass-split.sh BIN
#
# Needs perf allowed to sample the processes (kernel.perf_event_paranoid). Loopback only; every process
# started here is stopped on exit; the load is bounded (SECS of sampling inside SECS + 8 of load).
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/scripts/lib.sh
BIN=${1:-target/release/leapfrog-server}
RATE="${RATE:-2000}"; SECS="${SECS:-8}"; PLAYERS="${PLAYERS:-4000}"
NODE_ARGS="${NODE_ARGS:---worker-threads 1}"
TOOL="${TOOL:-target/release/leapfrog-loadtest}"
OUT="${OUT:-target/pass-split}"
TOP="${TOP:-15}"
SYSCALLS=$(printf 'syscalls:sys_enter_%s,' sendto recvfrom epoll_wait writev write read)cs
mkdir -p "$OUT"
need_perf
new_secrets
stop_at_exit

start_redis "$OUT/redis.log"
# shellcheck disable=SC2086 # NODE_ARGS is a list of options
run_node "$BIN" pass-split "$OUT/node.log" $NODE_ARGS

passes_load "$RATE" 3 $((SECS + 8)) split >"$OUT/load.json" &
load=$!
sleep 6 # past the import and the ramp
declare -A pid=([node]=$NODE_PID [redis]=$REDIS_PID) before=()
samplers=()
for name in node redis; do
  before[$name]=$(cpu_us "${pid[$name]}")
  perf record -e cpu-clock -F 1999 -g -p "${pid[$name]}" -o "$OUT/$name.data" -- sleep "$SECS" >/dev/null 2>&1 &
  samplers+=($!)
  # The same seconds' system calls and context switches, counted (tracepoints; none if not allowed).
  perf stat -x, -e "$SYSCALLS" -p "${pid[$name]}" -o "$OUT/$name.stat" -- sleep "$SECS" >/dev/null 2>&1 &
  samplers+=($!)
done
wait "${samplers[@]}" || true
for name in node redis; do
  echo $(($(cpu_us "${pid[$name]}") - before[$name])) >"$OUT/$name.cpu_us"
done
wait "$load"

# The passes of the sampled seconds: the load's passes (its runs, times the share that passed a friend)
# per second of its run, times the seconds sampled.
passes=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(int(r["notifications"] / r["elapsed_s"] * float(sys.argv[2])))' \
  "$OUT/load.json" "$SECS")
echo "passes at $RATE/s for about $SECS s sampled: $passes"
for name in node redis; do
  perf script -i "$OUT/$name.data" 2>/dev/null >"$OUT/$name.script"
  python3 loadtest/scripts/perf-split.py "$OUT/$name.script" "$(cat "$OUT/$name.cpu_us")" "$passes" "$name" pass "$TOP"
done

# Each process's system calls and context switches per run of the sampled seconds (perf stat).
python3 - "$OUT" "$SECS" <<'PY'
import json, sys
out, secs = sys.argv[1], float(sys.argv[2])
report = json.load(open(f"{out}/load.json"))
runs = max(report["runs"] / report["elapsed_s"] * secs, 1)
for name in ("node", "redis"):
    counts = []
    try:
        lines = open(f"{out}/{name}.stat", errors="replace").readlines()
    except OSError:  # perf stat could not start
        lines = []
    for line in lines:
        fields = line.strip().split(",")
        if len(fields) > 2 and fields[0].replace(".", "").isdigit():
            counts.append(f"{fields[2].replace('syscalls:sys_enter_', '')} {float(fields[0]) / runs:.2f}")
    print(f"{name} per run (about {runs:.0f} runs counted): {', '.join(counts) or 'not counted (tracepoints not allowed)'}")
PY
