#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine: installs what the tests need when it is missing
# (redis-server for the server's integration tests, promtool from Debian's prometheus package for the
# metrics checks), then builds once and runs every test in the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure-packages.sh
ensure_packages redis-server:redis-server promtool:prometheus
ensure_cargo
cargo test --workspace --locked "$@"
