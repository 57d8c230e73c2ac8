# Helpers shared by the measurement scripts (`source loadtest/scripts/lib.sh` from the repository root): loopback ports,
# CPU time from /proc, a private redis-server and a node, and the `passes` load. Nothing here starts anything by itself.

# stop_at_exit: starts PIDS, the processes a script starts (each adds its pids), and stops every one of
# them when the script exits, however it exits.
stop_at_exit() {
  PIDS=()
  trap 'for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
}

# new_secrets: fresh JWT and ADMIN secrets, shared by the nodes and the load tool of one script.
new_secrets() { JWT=$(openssl rand -hex 32); ADMIN=$(openssl rand -hex 32); }

# A free TCP port on 127.0.0.1 (the kernel picks it).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# utime+stime of process PID so far, in µs.
cpu_us() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%d\n", ($14 + $15) * 1000000 / hz }' "/proc/$1/stat"; }

# utime and stime of process PID so far, in clock ticks: user space (the process's own code) apart from
# the kernel's work for it (syscalls, the loopback sockets).
cpu_split_ticks() { awk '{ print $14, $15 }' "/proc/$1/stat"; }

# PIN=1 gives the server under test (echo server or node) the first core to itself and runs everything
# else (Redis, the load tool) on the second, as a deployment runs Redis on other machines: the server's
# CPU per message is then its own work, not also the cache and scheduler it shares with Redis. Unset
# (the default) every process runs on every core.
# on_other_core CMD...: runs CMD on the second core when PIN=1, else as is.
on_other_core() { if [ "${PIN:-0}" = 1 ]; then taskset -c 1 "$@"; else "$@"; fi; }
# pin_process PID CORE: moves every thread of PID to CORE when PIN=1 (threads it starts later stay there).
pin_process() { [ "${PIN:-0}" = 1 ] || return 0; taskset -apc "$2" "$1" >/dev/null; }

# jump_load URL SECS [options]: the load tool ($TOOL) keeps $PLAYERS players jumping at machine pace
# (`--mix run=1`) on URL for SECS after a 1 s ramp, on the second core when PIN=1; its JSON report on
# standard output. The load the CPU-per-jump scripts measure.
jump_load() {
  local url=$1 secs=$2; shift 2
  on_other_core "$TOOL" --url "$url" --players "$PLAYERS" --pace fast --mix run=1 --ramp-secs 1 \
    --duration-secs "$secs" --progress-secs 0 --json "$@"
}

# wait_redis PORT: waits up to 5 s for the redis-server on PORT to answer PING.
wait_redis() { for _ in $(seq 50); do redis-cli -p "$1" PING >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }

# wait_ready PORT: waits up to 10 s for the node on PORT to say it is ready.
wait_ready() { for _ in $(seq 100); do curl -fs "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }

# start_redis LOG [options]: a private redis-server (no persistence) on a free loopback port in a fresh
# directory, its output in LOG. Sets REDIS_PORT, REDIS_PID and REDIS_DIR and adds the pid to PIDS.
start_redis() {
  local log=$1; shift
  REDIS_DIR=$(mktemp -d); REDIS_PORT=$(free_port)
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --dir "$REDIS_DIR" "$@" >"$log" 2>&1 &
  REDIS_PID=$!; PIDS+=("$REDIS_PID")
  wait_redis "$REDIS_PORT"
}

# run_node BIN NODE_ID LOG [options]: node BIN on free loopback ports against the Redis on REDIS_PORT,
# signing with $JWT and $ADMIN, with the timing, rate, run and connection limits out of a load's way and
# passes told at once (`--coalesce-window-ms 0`); its output in LOG. Sets PUBLIC_PORT, ADMIN_PORT and
# NODE_PID, adds the pid to PIDS, and waits until the node is ready.
run_node() {
  local bin=$1 id=$2 log=$3; shift 3
  PUBLIC_PORT=$(free_port); ADMIN_PORT=$(free_port)
  LEAPFROG_LOG=warn "$bin" --redis-url "redis://127.0.0.1:$REDIS_PORT" --jwt-secret "$JWT" --admin-secret "$ADMIN" \
    --node-id "$id" --listen "127.0.0.1:$PUBLIC_PORT" --admin-listen "127.0.0.1:$ADMIN_PORT" \
    --timing-tolerance-ms 100000000 --rate-per-second 100000 --rate-burst 100000 --max-runs-per-hour 10000000 \
    --coalesce-window-ms 0 --max-connections 100000 "$@" >"$log" 2>&1 &
  NODE_PID=$!; PIDS+=("$NODE_PID")
  wait_ready "$PUBLIC_PORT"
}

# passes_load RATE RAMP SECS PREFIX [options]: the load tool ($TOOL) runs the `passes` scenario with
# $PLAYERS players at RATE runs per second against the node on PUBLIC_PORT and ADMIN_PORT (as `run_node`
# sets them), after a ramp of RAMP seconds, for SECS; its JSON report on standard output.
passes_load() {
  local rate=$1 ramp=$2 secs=$3 prefix=$4; shift 4
  "$TOOL" --url "ws://127.0.0.1:$PUBLIC_PORT/ws" --admin "127.0.0.1:$ADMIN_PORT" --jwt-secret "$JWT" \
    --admin-secret "$ADMIN" --progress-secs 0 --json --scenario passes --players "$PLAYERS" --rate "$rate" \
    --ramp-secs "$ramp" --duration-secs "$secs" --prefix "$prefix" "$@"
}

# round_trips JSON: the round trips of a load tool report (every request answered, connections apart).
round_trips() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sum(k["count"] for k in r["kinds"] if k["kind"] != "connect"))' "$1"; }

# abba_order COUNT: the indices 0..COUNT-1 in order, then (ROUNDS=2, the default; ROUNDS=1: not) in
# reverse, one per line. On this shared machine the binary measured second can run 5 to 10% apart from
# the first whatever it is, and the mean of both orders cancels that.
abba_order() {
  local i
  for ((i = 0; i < $1; i++)); do echo "$i"; done
  if [ "${ROUNDS:-2}" -ge 2 ]; then
    for ((i = $1 - 1; i >= 0; i--)); do echo "$i"; done
  fi
}

# need_perf: exits with why unless `perf` is installed and allowed to sample this user's processes
# (kernel.perf_event_paranoid).
need_perf() {
  command -v perf >/dev/null || { echo "perf is needed (apt-get install -y linux-perf)" >&2; exit 1; }
  perf record -e cpu-clock -o /dev/null -- true >/dev/null 2>&1 ||
    { echo "perf cannot sample here (kernel.perf_event_paranoid is $(cat /proc/sys/kernel/perf_event_paranoid))" >&2; exit 1; }
}

# marginal_instructions PROFILE WHAT BIN...: for each node binary BIN, calls `PROFILE BIN LABEL RATE` at
# $LOW and then at $HIGH runs per second (PROFILE sets INSTRUCTIONS, the callgrind total of the process
# it profiled, and RUNS, the runs its load finished, for example with `callgrind_total` and
# `runs_finished`) and prints WHAT per marginal run: (I(HIGH) - I(LOW)) / (runs(HIGH) - runs(LOW)).
marginal_instructions() {
  local profile=$1 what=$2 index=0 bin label low_i low_runs high_i high_runs; shift 2
  printf '%-44s %12s %6s %12s %6s %22s\n' "node" "I(low)" "runs" "I(high)" "runs" "$what"
  for bin in "$@"; do
    index=$((index + 1))
    label="$(basename "$bin")-$index"
    "$profile" "$bin" "$label" "$LOW"; low_i=$INSTRUCTIONS; low_runs=$RUNS
    "$profile" "$bin" "$label" "$HIGH"; high_i=$INSTRUCTIONS; high_runs=$RUNS
    printf '%-44s %12s %6s %12s %6s %22.0f\n' "$bin" "$low_i" "$low_runs" "$high_i" "$high_runs" \
      "$(echo "($high_i - $low_i) / ($high_runs - $low_runs)" | bc -l)"
  done
}

# callgrind_events OUT: every event a callgrind profile counted, as NAME=COUNT words (Ir first; with
# --cache-sim=yes also I1mr, D1mr, D1mw, DLmr and DLmw: misses of the first-level instruction and data
# caches and of the last level), for `event` and `marginal`.
callgrind_events() {
  awk '/^events:/ { for (i = 2; i <= NF; i++) name[i] = $i }
       /^(summary|totals):/ { for (i = 2; i <= NF; i++) printf "%s=%s ", name[i], $i; print ""; exit }' "$1"
}

# event WORDS NAME: the count NAME has among NAME=COUNT WORDS, 0 if it has none.
event() { local word; for word in $1; do [ "${word%%=*}" = "$2" ] && { echo "${word#*=}"; return; }; done; echo 0; }

# callgrind_total OUT: the instructions a callgrind profile counted in all.
callgrind_total() { event "$(callgrind_events "$1")" Ir; }

# marginal WORDS WORDS_MORE COUNT EVENT...: what COUNT more of the work cost in the EVENTs together
# (NAME=COUNT words of two runs, the second doing COUNT more): their sum in WORDS_MORE minus in WORDS,
# over COUNT. COUNT may be an expression for bc.
marginal() {
  local words=$1 more=$2 count=$3 a=0 b=0 name; shift 3
  for name in "$@"; do a=$((a + $(event "$words" "$name"))); b=$((b + $(event "$more" "$name"))); done
  echo "($b - $a) / ($count)" | bc -l
}

# l2_model: callgrind's cache options modelling this core's second-level cache as the last level
# (`--cache-sim=yes --LL=SIZE,WAYS,LINE`, from sysfs), for L2=1 in callgrind.sh and echo-callgrind.sh.
# Callgrind's default last level is the host's shared cache (48 MiB here), which a thousand connections'
# state fits in; modelled as the core's own L2 (1.25 MiB here), its last-level misses count the data a
# message reads or writes that was no longer near the core: a connection's state, touched a thousand
# messages earlier. Without sysfs's figures (or with a set count valgrind cannot model, not a power of
# two), the plain cache model.
l2_model() {
  local dir=/sys/devices/system/cpu/cpu0/cache/index2 size ways line sets
  if [ "$(cat "$dir/level" 2>/dev/null)" = 2 ] && size=$(cat "$dir/size") && ways=$(cat "$dir/ways_of_associativity") &&
    line=$(cat "$dir/coherency_line_size"); then
    case $size in *K) size=$((${size%K} * 1024)) ;; *M) size=$((${size%M} * 1024 * 1024)) ;; esac
    sets=$((size / ways / line))
    if [ "$sets" -gt 0 ] && [ $((sets & (sets - 1))) -eq 0 ]; then
      echo "--cache-sim=yes --LL=$size,$ways,$line"
      return
    fi
  fi
  echo "L2=1: no second-level cache valgrind can model here; the plain cache model instead" >&2
  echo "--cache-sim=yes"
}

# need_callgrind: exits with why unless valgrind is installed; builds the load tool ($TOOL) if missing.
need_callgrind() {
  command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install -y valgrind)" >&2; exit 1; }
  [ -x "$TOOL" ] || cargo build --release --locked -p leapfrog-loadtest
}

# runs_finished JSON: the runs a load tool report counts.
runs_finished() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["runs"])' "$1"; }

# callgrind_setup DEFAULT_OUT: what pass-callgrind.sh and redis-callgrind.sh share before they profile:
# LOW, HIGH, SECS, PLAYERS, OUT, TOOL and NODE_ARGS from the environment or their defaults, valgrind
# checked, the load tool built if missing, OUT made, fresh secrets, every process stopped at exit.
callgrind_setup() {
  LOW=${LOW:-6}; HIGH=${HIGH:-12}; SECS=${SECS:-25}; PLAYERS=${PLAYERS:-200}
  OUT=${OUT:-$1}; TOOL=${TOOL:-target/release/leapfrog-loadtest}
  NODE_ARGS=${NODE_ARGS:-} # more options for every node, e.g. "--worker-threads 1"
  need_callgrind
  mkdir -p "$OUT"
  new_secrets
  stop_at_exit
}
