#!/usr/bin/env bash
# A profile-guided release build of the node: the release binary, compiled again with what a training
# load taught the compiler about which code is hot (rustc's `-Cprofile-generate` / `-Cprofile-use`, LLVM's
# PGO). The hot paths (a jump's read, handling, checkpoint and answer; a recorded run) are laid out
# together and the cold ones moved aside, so a jump's code fits the instruction cache better: see
# BENCHMARKS.md, "A profile-guided build: a jump's code fits the instruction cache (stop 38)", for what
# it saves and the commands that measured it.
#
#   scripts/build-release-pgo.sh [OUTPUT]        (default OUTPUT: target/release-pgo/leapfrog-server)
#
# Steps, each in its own target directory so neither disturbs the ordinary release build:
#   1. the node built with instrumentation (target/pgo-generate);
#   2. the training: a private redis-server and that node (one worker thread, as deploy/ runs it) on
#      loopback, with the load tool (target/release/leapfrog-loadtest, an ordinary release build)
#      playing the product's mix for TRAIN_SECS (runs, friend and global boards, notifications), then
#      friends passing each other; the node stops gracefully and writes its profile;
#   3. the profiles merged with the toolchain's own llvm-profdata (rustup's llvm-tools component,
#      installed if missing: its profile format must match rustc's LLVM);
#   4. the node built again with the merged profile (target/pgo-use; every crate again whenever the
#      profile changed), copied to OUTPUT.
# It installs what it needs when missing (redis-server, python3, curl, openssl, llvm-tools) and takes
# about three times an ordinary release build's time (the load tool is built too). Every process is
# started here, on loopback, bounded in time and stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
OUTPUT="${1:-target/release-pgo/leapfrog-server}"
TRAIN_SECS="${TRAIN_SECS:-20}"                 # the play mix's seconds; the passes run half as long
PROFILES="$PWD/target/pgo-profiles"
TOOL="${CARGO_TARGET_DIR:-target}/release/leapfrog-loadtest" # where the build below leaves it

source scripts/lib/ensure-packages.sh
ensure_packages redis-server:redis-server python3:python3 curl:curl openssl:openssl
ensure_cargo
host=$(rustc -vV | sed -n 's/^host: //p')
profdata="$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-profdata"
if [ ! -x "$profdata" ]; then
  command -v rustup >/dev/null || {
    echo "PGO needs the llvm-profdata of rustc's own LLVM ($profdata): rustup's llvm-tools component" >&2
    exit 1
  }
  rustup component add llvm-tools
fi
cargo build --release --locked -p leapfrog-loadtest # the training's client, built as usual

echo "== 1/4: the instrumented node" >&2
rm -rf "$PROFILES"; mkdir -p "$PROFILES/raw"
RUSTFLAGS="${RUSTFLAGS:-} -Cprofile-generate=$PROFILES/raw" CARGO_TARGET_DIR=target/pgo-generate \
  cargo build --release --locked -p leapfrog-server

echo "== 2/4: the training load" >&2
# The build scripts and proc macros of step 1 were instrumented too and wrote profiles of the build:
# only the node's, from here on, are kept.
rm -f "$PROFILES"/raw/*.profraw
source loadtest/scripts/lib.sh
stop_at_exit
new_secrets
start_redis "$PROFILES/redis.log"
# One worker thread, as deploy/ runs a node (LEAPFROG_WORKER_THREADS=1): its scheduler's code is the hot one.
run_node target/pgo-generate/release/leapfrog-server pgo-1 "$PROFILES/node.log" \
  --worker-threads "${TRAIN_WORKER_THREADS:-1}"
"$TOOL" --url "ws://127.0.0.1:$PUBLIC_PORT/ws" --admin "127.0.0.1:$ADMIN_PORT" --jwt-secret "$JWT" \
  --admin-secret "$ADMIN" --players 300 --pace fast --ramp-secs 1 --duration-secs "$TRAIN_SECS" \
  --progress-secs 0 --json --prefix pgo-play >"$PROFILES/play.json"
PLAYERS=400 passes_load 300 1 "$((TRAIN_SECS / 2))" pgo-passes >"$PROFILES/passes.json"
kill -TERM "$NODE_PID"
wait "$NODE_PID" || { echo "the instrumented node did not stop cleanly: see $PROFILES/node.log" >&2; exit 1; }
# A training that failed would teach the compiler the error paths: every request must have been answered.
python3 - "$PROFILES/play.json" "$PROFILES/passes.json" <<'PY'
import json, sys
for path in sys.argv[1:]:
    kinds = json.load(open(path))["kinds"]
    errors = sum(sum(k["errors"].values()) for k in kinds)
    answered = sum(k["count"] for k in kinds)
    if errors or answered == 0:
        sys.exit(f"{path}: {answered} requests answered, {errors} errors: the training did not run cleanly")
    print(f"{path}: {answered} requests answered", file=sys.stderr)
PY

echo "== 3/4: the merged profile" >&2
"$profdata" merge -o "$PROFILES/merged.profdata" "$PROFILES"/raw/*.profraw
"$profdata" show "$PROFILES/merged.profdata" | tail -n 3 >&2
# Named by its content: cargo sees RUSTFLAGS change, and rebuilds every crate, only when the profile does
# (it does not look into the file a flag names).
profile="$PROFILES/merged-$(sha256sum "$PROFILES/merged.profdata" | cut -c1-16).profdata"
mv "$PROFILES/merged.profdata" "$profile"

echo "== 4/4: the node built with it" >&2
RUSTFLAGS="${RUSTFLAGS:-} -Cprofile-use=$profile" CARGO_TARGET_DIR=target/pgo-use \
  cargo build --release --locked -p leapfrog-server
mkdir -p "$(dirname "$OUTPUT")"
cp target/pgo-use/release/leapfrog-server "$OUTPUT"
echo "$OUTPUT" >&2
