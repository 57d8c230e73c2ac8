#!/usr/bin/env bash
# The recording path's cost per pass, for node binaries side by side (issue #16): each binary gets a fresh
# private redis-server (no persistence) and one node, then runs the `passes` scenario (pairs of friends
# passing each other, every run after a pair's first passes one friend) at two rates. It prints, per run
# of each load:
#   - node and Redis CPU (utime+stime from /proc over the load after its ramp, as the tool measures it);
#   - the marginal CPU per run between the two rates, which cancels what the connected players cost
#     whatever the rate;
#   - the Redis requests the node sent (its `leapfrog_redis_command_duration_seconds_count` per
#     operation: each is one command, pipeline or script, so one round trip unless sent beside others);
#   - the Redis commands run (INFO commandstats calls; a script counts once, then each command inside);
#   - where `perf stat` can read syscall tracepoints, the node's system calls and context switches per
#     run over the whole load: `writev` is the node writing to Redis (one per round trip, or per batch
#     of requests sent together), `sendto` a WebSocket frame out.
# The request and command counts are exact whatever else the machine does, the syscall counts nearly so;
# read CPU as ratios.
#
#   loadtest/scripts/pass-cost.sh BASELINE_SERVER_BIN SERVER_BIN...   (from the repository root)
#   LOW=50 HIGH=300 SECS=20 PLAYERS=2000 ROUNDS=2 OUT=target/pass-cost
# Each binary is measured in the given order, then again in reverse (ROUNDS=1: once), and the report
# ends with each binary's mean over its rounds.
#
# Everything is on loopback, bounded by SECS per load, and stopped at exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/scripts/lib.sh
LOW=${LOW:-50}; HIGH=${HIGH:-300}; SECS=${SECS:-20}; PLAYERS=${PLAYERS:-2000}
OUT=${OUT:-target/pass-cost}; TOOL=${TOOL:-target/release/leapfrog-loadtest}
mkdir -p "$OUT"
SYSCALL_EVENTS=raw_syscalls:sys_enter,syscalls:sys_enter_writev,syscalls:sys_enter_sendto,context-switches
perf stat -e "$SYSCALL_EVENTS" true >/dev/null 2>&1 || SYSCALL_EVENTS=""
new_secrets
stop_at_exit

# load LABEL RATE PREFIX: one passes load against the node, its counters saved under $OUT/LABEL-RATE.*
load() {
  local label=$1 rate=$2 prefix=$3 base="$OUT/$1-$2"
  curl -fs "http://127.0.0.1:$admin/metrics" >"$base.metrics.before"
  redis-cli -p "$redis_port" INFO commandstats | tr -d '\r' | grep '^cmdstat_' >"$base.commands.before"
  local perf_pid=""
  if [ -n "$SYSCALL_EVENTS" ]; then
    perf stat -x, -o "$base.syscalls" -e "$SYSCALL_EVENTS" -p "$node" >/dev/null 2>&1 &
    perf_pid=$!
  fi
  passes_load "$rate" 3 "$SECS" "$prefix" --cpu-pid "node=$node" --cpu-pid "redis=$redis_pid" >"$base.json"
  if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; fi
  curl -fs "http://127.0.0.1:$admin/metrics" >"$base.metrics.after"
  redis-cli -p "$redis_port" INFO commandstats | tr -d '\r' | grep '^cmdstat_' >"$base.commands.after"
}

measure() { # LABEL BIN
  local label=$1 bin=$2
  start_redis "$OUT/$label-redis.log"
  run_node "$bin" "pass-$label" "$OUT/$label-node.log"
  redis_port=$REDIS_PORT; redis_pid=$REDIS_PID; node=$NODE_PID; admin=$ADMIN_PORT
  load "$label" "$LOW" "l$label"
  load "$label" "$HIGH" "h$label"
  kill "$node" "$redis_pid"; wait "$node" "$redis_pid" 2>/dev/null || true
  rm -rf "$REDIS_DIR"
}

# The binaries in order, then in reverse (lib.sh's `abba_order`).
BINS=("$@")
LABELS=()
round=0
for i in $(abba_order ${#BINS[@]}); do
  round=$((round + 1))
  # Named by the binary's file, or by its directory when that is the plain `leapfrog-server`.
  name=$(basename "${BINS[$i]}")
  [[ $name == leapfrog-server ]] && name=$(basename "$(dirname "${BINS[$i]}")")
  label="$i-${name#leapfrog-server-}-r$round"
  measure "$label" "${BINS[$i]}"
  LABELS+=("$label")
done

python3 - "$OUT" "$LOW" "$HIGH" "${LABELS[@]}" <<'PY'
import json, re, sys
out, low, high, labels = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]

def counters(path, pattern):
    """Every match of `pattern` (a name, then a count) in the file at `path`, as name -> count."""
    return {m[1]: int(m[2]) for m in (re.match(pattern, line) for line in open(path)) if m}

def requests(path):
    return counters(path, r'leapfrog_redis_command_duration_seconds_count\{op="(\w+)"[^}]*\} (\d+)')

def commands(path):
    return counters(path, r'cmdstat_([\w|]+):calls=(\d+)')

def delta(before, after):
    return {k: v - before.get(k, 0) for k, v in after.items() if v > before.get(k, 0)}

def syscalls(path):
    counts = {}
    try:
        for line in open(path):
            fields = line.strip().split(",")
            if len(fields) > 2 and fields[0].isdigit():
                counts[fields[2].split(":")[-1]] = int(fields[0])
    except FileNotFoundError:
        pass
    return counts

def per_run(counts, name, runs):
    return f"{counts[name] / runs:.1f}" if name in counts else "-"

print("| binary | passes/s | runs in window | node CPU µs/run | Redis CPU µs/run | Redis requests/run | Redis commands/run | node syscalls/run | `writev`/run | `sendto`/run | context switches/run |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
detail = {}
marginal = {}
for label in labels:
    window = {}
    for rate in (low, high):
        base = f"{out}/{label}-{rate}"
        report = json.load(open(f"{base}.json"))
        cpu = report["cpu"]
        proc = {p["name"]: p for p in cpu["processes"]}
        runs_total = report["runs"]
        req = delta(requests(f"{base}.metrics.before"), requests(f"{base}.metrics.after"))
        cmd = delta(commands(f"{base}.commands.before"), commands(f"{base}.commands.after"))
        window[rate] = (cpu["runs"], proc["node"]["cpu_s"], proc["redis"]["cpu_s"])
        detail[(label, rate)] = (req, runs_total)
        calls = syscalls(f"{base}.syscalls")
        print(f"| {label} | {rate} | {cpu['runs']} | {proc['node']['us_per_run']:.0f} | {proc['redis']['us_per_run']:.0f} "
              f"| {sum(req.values()) / runs_total:.2f} | {sum(cmd.values()) / runs_total:.1f} "
              f"| {per_run(calls, 'sys_enter', runs_total)} | {per_run(calls, 'sys_enter_writev', runs_total)} "
              f"| {per_run(calls, 'sys_enter_sendto', runs_total)} | {per_run(calls, 'context-switches', runs_total)} |")
    (r0, n0, d0), (r1, n1, d1) = window[low], window[high]
    if r1 > r0:
        print(f"| {label} | marginal {low}→{high} | {r1 - r0} | **{(n1 - n0) / (r1 - r0) * 1e6:.0f}** "
              f"| **{(d1 - d0) / (r1 - r0) * 1e6:.0f}** | | | | | | |")
        marginal.setdefault(label.rsplit("-r", 1)[0], []).append(
            ((n1 - n0) / (r1 - r0) * 1e6, (d1 - d0) / (r1 - r0) * 1e6, n1 / r1 * 1e6, d1 / r1 * 1e6))
print()
print(f"Mean over the rounds (each binary measured once in each order):")
print()
print(f"| binary | rounds | node CPU µs/run at {high}/s | Redis CPU µs/run at {high}/s | node CPU µs per marginal run | Redis CPU µs per marginal run |")
print("|---|---|---|---|---|---|")
for name, rows in marginal.items():
    mean = [sum(row[k] for row in rows) / len(rows) for k in range(4)]
    print(f"| {name} | {len(rows)} | {mean[2]:.0f} | {mean[3]:.0f} | **{mean[0]:.0f}** | **{mean[1]:.0f}** |")
print()
print(f"Redis requests per run at {high} passes/s, by operation:")
print()
ops = sorted({op for (label, rate), (req, _) in detail.items() if rate == high for op in req})
print("| operation | " + " | ".join(labels) + " |")
print("|---|" + "---|" * len(labels))
for op in ops:
    cells = []
    for label in labels:
        req, runs = detail[(label, high)]
        cells.append(f"{req.get(op, 0) / runs:.2f}")
    print(f"| {op} | " + " | ".join(cells) + " |")
PY
